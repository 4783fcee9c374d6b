import { makeObjectStore, type ObjectStoreConfig } from '@trellis/platform/object-store';

/**
 * Creates the bucket through the minio client, as every Trellis piece talks to the store, so it
 * works the same on the embedded s3rver, a Minio server or any S3. Waits for the store to answer.
 */
export async function ensureBucket(config: ObjectStoreConfig, timeoutMs = 30_000): Promise<{ created: boolean }> {
  const { client } = makeObjectStore(config);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await client.bucketExists(config.bucket)) return { created: false };
      await client.makeBucket(config.bucket, config.region);
      return { created: true };
    } catch (error) {
      const code = (error as { code?: string }).code;
      // Another process made it between our two calls.
      if (code === 'BucketAlreadyOwnedByYou' || code === 'BucketAlreadyExists') return { created: false };
      const unreachable = code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === 'XMinioServerNotInitialized';
      if (!unreachable || Date.now() > deadline) {
        throw new Error(`cannot create bucket ${config.bucket} at ${config.endpoint}: ${(error as Error).message}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
}
