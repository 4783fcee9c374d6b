import { statfs } from 'node:fs/promises';
import { makeObjectStore, type ObjectStoreConfig } from '@trellis/platform/object-store';
import type { BucketUsage, DiskSpace } from '../storage.js';

function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what}: no answer in ${ms / 1000} s`), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Every object of the bucket, listed page by page (a stream: a bucket of millions needs no memory for them). */
export async function measureBucket(config: ObjectStoreConfig, timeoutMs = 120_000): Promise<BucketUsage> {
  const { client } = makeObjectStore(config);
  const exists = await within(client.bucketExists(config.bucket), 5_000, `the object store at ${config.endpoint}`);
  if (!exists) throw Object.assign(new Error(`bucket ${config.bucket} does not exist at ${config.endpoint}`), { code: 'NoSuchBucket' });
  const count = async (): Promise<BucketUsage> => {
    let objects = 0;
    let bytes = 0;
    for await (const item of client.listObjectsV2(config.bucket, '', true) as AsyncIterable<{ size?: number }>) {
      objects += 1;
      bytes += item.size ?? 0;
    }
    return { bucket: config.bucket, objects, bytes };
  };
  return within(count(), timeoutMs, `listing bucket ${config.bucket}`);
}

export async function measureDisk(path: string): Promise<DiskSpace> {
  const stats = await statfs(path);
  return { path, freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
}
