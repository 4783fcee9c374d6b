import { createHash } from 'node:crypto';
import type { ProjectObjects } from '@trellis/kernel/ports';
import { Client } from 'minio';

export type ObjectStoreConfig = {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region: string;
};

export type ObjectStore = { client: Client; bucket: string; check: () => Promise<void>; ensureBucket: () => Promise<void> };

/** Every piece of Trellis reaches the store through the minio client, so Minio, s3rver or any S3 serves. */
export function makeObjectStore(config: ObjectStoreConfig): ObjectStore {
  const url = new URL(config.endpoint);
  const useSSL = url.protocol === 'https:';
  const client = new Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: config.accessKey,
    secretKey: config.secretKey,
    region: config.region,
    pathStyle: true,
  });
  return {
    client,
    bucket: config.bucket,
    check: async () => {
      if (!(await client.bucketExists(config.bucket))) throw new Error(`bucket ${config.bucket} does not exist`);
    },
    ensureBucket: async () => {
      if (!(await client.bucketExists(config.bucket))) await client.makeBucket(config.bucket, config.region);
    },
  };
}

export function objectStoreConfigFromEnv(env: {
  TRELLIS_S3_ENDPOINT: string;
  TRELLIS_S3_ACCESS_KEY: string;
  TRELLIS_S3_SECRET_KEY: string;
  TRELLIS_S3_BUCKET: string;
  TRELLIS_S3_REGION: string;
}): ObjectStoreConfig {
  return {
    endpoint: env.TRELLIS_S3_ENDPOINT,
    accessKey: env.TRELLIS_S3_ACCESS_KEY,
    secretKey: env.TRELLIS_S3_SECRET_KEY,
    bucket: env.TRELLIS_S3_BUCKET,
    region: env.TRELLIS_S3_REGION,
  };
}

function describeFailure(entry: unknown): string {
  const failure = (entry as { Error?: unknown }).Error ?? entry;
  const { Code: code, Key: key } = (failure ?? {}) as { Code?: unknown; Key?: unknown };
  return `${String(key ?? '?')}: ${String(code ?? 'unknown error')}`;
}

/**
 * Removes every object under `prefix`, listed and removed in batches (S3's multi-object delete
 * takes at most 1000 names). Removing a name that is already gone succeeds in S3, so a second
 * run, or a run after a partial failure, is harmless. Throws if any object could not be removed.
 */
export async function removeObjectsUnder(store: ObjectStore, prefix: string, options: { batchSize?: number } = {}): Promise<{ deleted: number }> {
  if (!prefix.endsWith('/')) throw new Error(`refusing to remove objects under a prefix that is not a folder: ${JSON.stringify(prefix)}`);
  const batchSize = Math.min(options.batchSize ?? 1000, 1000);
  let deleted = 0;
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    // Quiet mode: the answer lists only the names that could not be removed.
    const failures = (await store.client.removeObjects(store.bucket, batch)).filter((entry) => entry != null);
    if (failures.length > 0) {
      throw new Error(`could not remove ${failures.length} object(s) under ${prefix}: ${failures.slice(0, 3).map(describeFailure).join(', ')}`);
    }
    deleted += batch.length;
    batch = [];
  };
  // Names before the listing's position are never listed again, so removing them while listing is safe.
  for await (const item of store.client.listObjectsV2(store.bucket, prefix, true) as AsyncIterable<{ name?: unknown }>) {
    if (typeof item.name !== 'string') continue;
    batch.push(item.name);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return { deleted };
}

const lowercaseUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Every object a service keeps for a project lives under `<service>/projects/<id>/` in the
 * shared bucket: each service owns (and deletes) only its own. The id is checked so that no
 * other prefix can ever be formed.
 */
export function projectPrefix(service: string, projectId: string): string {
  if (!/^[a-z][a-z-]*$/.test(service)) throw new Error(`not a service name: ${JSON.stringify(service)}`);
  if (!lowercaseUuid.test(projectId)) throw new Error(`not a lowercase project id: ${JSON.stringify(projectId)}`);
  return `${service}/projects/${projectId}/`;
}

export function makeProjectObjects(store: ObjectStore, service: string, options: { batchSize?: number } = {}): ProjectObjects {
  return { deleteAll: (projectId) => removeObjectsUnder(store, projectPrefix(service, projectId), options) };
}

/** S3 takes parts of 5 MiB at least (but the last), and at most 10 000 of them: 8 MiB parts hold up to 78 GiB. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

/** The store's answer for an object that is not there (deleted meanwhile, by hand, lost with a bucket). */
export const isMissingObject = (error: unknown): boolean => ['NotFound', 'NoSuchKey'].includes(String((error as { code?: unknown }).code));

/**
 * Stores a stream of unknown length: read, hashed and sent on as it arrives, a small content in
 * one PUT, a larger one as a multipart upload of `partSize` parts, so at most one part is held in
 * memory whatever its size (minio's own putObject lists incomplete uploads first, which s3rver
 * does not implement). A failure (of the source, e.g. past a size limit, or of the store) aborts
 * the upload and removes what was stored, then is thrown as it was; what could not be cleaned up
 * is given to `onLeftover` (a store without AbortMultipartUpload, such as s3rver, keeps the parts
 * sent; nothing names them).
 */
export async function uploadStream(
  store: ObjectStore, object: string, content: AsyncIterable<Uint8Array>,
  options: { contentType: string; partSize?: number; onLeftover?: (error: unknown, uploadId: string | undefined) => void },
): Promise<{ size: number; sha256: string }> {
  const { client, bucket } = store;
  const partSize = options.partSize ?? DEFAULT_PART_SIZE;
  const headers = { 'Content-Type': options.contentType };
  const hash = createHash('sha256');
  let size = 0;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let uploadId: string | undefined;
  const parts: { part: number; etag: string }[] = [];
  const sendPart = async () => {
    uploadId ??= await client.initiateNewMultipartUpload(bucket, object, headers);
    const part = parts.length + 1;
    const body = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    const { etag } = await client.uploadPart({ bucketName: bucket, objectName: object, uploadID: uploadId, partNumber: part, headers: {} }, body);
    parts.push({ part, etag });
  };
  try {
    for await (const chunk of content) {
      hash.update(chunk);
      size += chunk.length;
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= partSize) await sendPart();
    }
    if (uploadId === undefined) {
      await client.putObject(bucket, object, Buffer.concat(pending), size, headers);
    } else {
      if (pendingBytes > 0) await sendPart();
      await client.completeMultipartUpload(bucket, object, uploadId, parts);
    }
    return { size, sha256: hash.digest('hex') };
  } catch (error) {
    const removeStored = async () => {
      try {
        await client.removeObject(bucket, object);
      } catch (removeError) {
        if (!isMissingObject(removeError)) throw removeError;
      }
    };
    const cleanUp = await Promise.allSettled([removeStored(), ...(uploadId === undefined ? [] : [client.abortMultipartUpload(bucket, object, uploadId)])]);
    for (const outcome of cleanUp) if (outcome.status === 'rejected') options.onLeftover?.(outcome.reason, uploadId);
    throw error;
  }
}
