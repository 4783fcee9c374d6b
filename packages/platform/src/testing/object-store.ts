import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeObjectStore, type ObjectStore, type ObjectStoreConfig } from '../object-store.js';

type S3rverInstance = { run: () => Promise<{ port: number }>; close: () => Promise<void> };
type S3rverModule = new (options: Record<string, unknown>) => S3rverInstance;

const require = createRequire(import.meta.url);

export type TestObjectStore = { config: ObjectStoreConfig; store: ObjectStore; close: () => Promise<void> };

/**
 * An s3rver of its own for one test file, on a free port, with a fresh bucket. Everything
 * talks to it through the minio client, as to any S3. (s3rver does not verify V4
 * signatures: tests of store access control need a real Minio.)
 */
export async function startTestObjectStore(): Promise<TestObjectStore> {
  const S3rver = require('s3rver') as S3rverModule;
  const account = require('s3rver/lib/models/account.js') as { DUMMY_ACCOUNT: { createKeyPair: (key: string, secret: string) => void } };
  const accessKey = `TEST${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretKey = randomBytes(20).toString('hex');
  account.DUMMY_ACCOUNT.createKeyPair(accessKey, secretKey);
  const directory = await mkdtemp(join(tmpdir(), 'trellis-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true });
  const { port } = await server.run();
  const config: ObjectStoreConfig = {
    endpoint: `http://127.0.0.1:${port}`,
    accessKey,
    secretKey,
    bucket: `trellis-test-${randomBytes(4).toString('hex')}`,
    region: 'us-east-1',
  };
  const store = makeObjectStore(config);
  await store.ensureBucket();
  return {
    config,
    store,
    close: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
