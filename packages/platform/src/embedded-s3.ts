import { createRequire } from 'node:module';

type S3rverInstance = { run: () => Promise<{ address: string; port: number }>; close: () => Promise<void> };
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;
type Account = { createKeyPair: (key: string, secret: string) => void; revokeAccessKey: (key: string) => void };

const require = createRequire(import.meta.url);

export type EmbeddedS3Options = {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly directory: string;
  readonly accessKey: string;
  readonly secretKey: string;
};

export type EmbeddedS3 = { readonly port: number; readonly close: () => Promise<void> };

/**
 * s3rver, the S3 server used when no `minio` binary is installed. It knows one account; we give
 * it our generated key pair and take away its built-in S3RVER/S3RVER pair, so requests signed
 * with any other access key are refused. (It does not verify V4 signatures themselves: a local
 * stand-in, not a security boundary; use Minio for that.)
 */
export async function startEmbeddedS3(options: EmbeddedS3Options): Promise<EmbeddedS3> {
  const S3rver = require('s3rver') as S3rverClass;
  const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account.js') as { DUMMY_ACCOUNT: Account };
  DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
  DUMMY_ACCOUNT.createKeyPair(options.accessKey, options.secretKey);
  const server = new S3rver({
    address: options.host,
    port: options.port,
    directory: options.directory,
    silent: true,
    // Path-style only: with vhost buckets on, a host name such as `objectstore:9000` would be read as a bucket.
    vhostBuckets: false,
  });
  const { port } = await server.run();
  return { port, close: () => server.close() };
}
