// @ts-check
import { stat } from 'node:fs/promises';
import { ActionError } from './errors.js';
import { s3ClientFor, s3Error } from './s3-client.js';

/**
 * Uploads the file from disk (in parts when it is large), so its size does not matter to memory.
 * @param {Record<string, any>} inputs
 */
export async function handle(inputs) {
  const key = String(inputs.key ?? '');
  if (key === '') throw new ActionError('key is empty: give the key to store the file under', 'bad_input');
  if (typeof inputs.file !== 'string') throw new ActionError('file is missing: give the file to upload', 'bad_input');
  const { client, bucket } = await s3ClientFor(inputs);
  const { size } = await stat(inputs.file);
  try {
    const uploaded = await client.fPutObject(bucket, key, inputs.file, { 'Content-Type': inputs.content_type || 'application/octet-stream' });
    return { etag: uploaded.etag.replace(/"/g, ''), size, key };
  } catch (error) {
    throw s3Error(error, `s3://${bucket}/${key}`);
  }
}
