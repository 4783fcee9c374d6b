import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedS3 } from '../embedded-s3.js';
import { makeObjectStore, type ObjectStore, type ObjectStoreConfig } from '../object-store.js';

export type TestObjectStore = { config: ObjectStoreConfig; store: ObjectStore; close: () => Promise<void> };

/**
 * An s3rver of its own for one test file, on a free port, with a fresh bucket. Everything
 * talks to it through the minio client, as to any S3. (s3rver does not verify V4
 * signatures: tests of store access control need a real Minio.)
 */
export async function startTestObjectStore(): Promise<TestObjectStore> {
  const accessKey = `TEST${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretKey = randomBytes(20).toString('hex');
  const directory = await mkdtemp(join(tmpdir(), 'trellis-s3-'));
  const server = await startEmbeddedS3({ host: '127.0.0.1', port: 0, directory, accessKey, secretKey });
  const port = server.port;
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
