// @ts-check
import { ActionError } from './errors.js';
import { s3ClientFor, s3Error } from './s3-client.js';

/**
 * Reads the listing page by page (the client follows continuation tokens) and stops as soon as
 * it has one entry more than max_keys: that one only tells that the list is truncated.
 * @param {Record<string, any>} inputs
 */
export async function handle(inputs) {
  const maxKeys = inputs.max_keys ?? 1000;
  if (!Number.isInteger(maxKeys) || maxKeys <= 0) throw new ActionError('max_keys must be a whole number above 0', 'bad_input');
  const prefix = String(inputs.prefix ?? '');
  const { client, bucket } = await s3ClientFor(inputs);
  const stream = client.listObjectsV2(bucket, prefix, inputs.recursive !== false);
  /** @type {Array<{ key: string, size: number, etag: string | null, last_modified: string | null }>} */
  const objects = [];
  let truncated = false;
  try {
    for await (const item of stream) {
      if (objects.length === maxKeys) {
        truncated = true;
        break;
      }
      objects.push(entryOf(item));
    }
  } catch (error) {
    throw s3Error(error, `s3://${bucket}/${prefix}`);
  } finally {
    stream.destroy();
  }
  return { objects, truncated };
}

/** @param {import('minio').BucketItem} item */
function entryOf(item) {
  if ('prefix' in item && item.prefix) return { key: item.prefix, size: 0, etag: null, last_modified: null };
  const object = /** @type {{ name: string, size: number, etag?: string, lastModified?: Date }} */ (item);
  return {
    key: object.name,
    size: object.size,
    etag: object.etag ? object.etag.replace(/"/g, '') : null,
    last_modified: object.lastModified ? object.lastModified.toISOString() : null,
  };
}
