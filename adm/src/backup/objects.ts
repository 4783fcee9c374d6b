import type { Readable } from 'node:stream';
import type { Client } from 'minio';

/** Every object of the bucket: key and size, streamed from listObjectsV2. */
export async function* listObjects(client: Client, bucket: string): AsyncGenerator<{ key: string; size: number }> {
  const stream = client.listObjectsV2(bucket, '', true);
  for await (const item of stream as AsyncIterable<{ name?: string; size?: number }>) {
    if (item.name !== undefined) yield { key: item.name, size: item.size ?? 0 };
  }
}

export function readObject(client: Client, bucket: string, key: string): Promise<Readable> {
  return client.getObject(bucket, key);
}

export async function writeObject(client: Client, bucket: string, key: string, body: Readable, size: number): Promise<void> {
  await client.putObject(bucket, key, body, size);
}

/** Removes every object of the bucket, a thousand at a time. */
export async function removeAllObjects(client: Client, bucket: string): Promise<number> {
  let removed = 0;
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await client.removeObjects(bucket, batch);
    removed += batch.length;
    batch = [];
  };
  for await (const { key } of listObjects(client, bucket)) {
    batch.push(key);
    if (batch.length >= 1000) await flush();
  }
  await flush();
  return removed;
}
