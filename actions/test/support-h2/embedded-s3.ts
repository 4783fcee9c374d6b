import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedS3 } from '@trellis/platform/embedded-s3';
import * as Minio from 'minio';

export type TestS3 = {
  readonly endpoint: string;
  readonly bucket: string;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly client: Minio.Client;
  readonly inputs: Record<string, string>;
  readonly stop: () => Promise<void>;
};

/** The platform's embedded object store on a free loopback port, with one bucket of our own. */
export async function startTestS3(): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), 'trellis-s3-test-'));
  const accessKey = `key${randomBytes(4).toString('hex')}`;
  const secretKey = randomBytes(16).toString('hex');
  const server = await startEmbeddedS3({ host: '127.0.0.1', port: 0, directory, accessKey, secretKey });
  const client = new Minio.Client({ endPoint: '127.0.0.1', port: server.port, useSSL: false, accessKey, secretKey, pathStyle: true });
  const bucket = `bucket-${randomBytes(4).toString('hex')}`;
  await client.makeBucket(bucket);
  const endpoint = `http://127.0.0.1:${server.port}`;
  return {
    endpoint, bucket, accessKey, secretKey, client,
    inputs: { endpoint, bucket, access_key: accessKey, secret_key: secretKey },
    stop: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
