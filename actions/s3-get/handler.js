// @ts-check
import { createWriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ActionError } from './errors.js';
import { s3ClientFor, s3Error } from './s3-client.js';

/**
 * Streams one object to a file in the execution's folder: a large object never sits in memory.
 * @param {Record<string, any>} inputs
 * @param {{ workdir?: string }} context
 */
export async function handle(inputs, context) {
  const key = String(inputs.key ?? '');
  if (key === '') throw new ActionError('key is empty: give the object key', 'bad_input');
  const { client, bucket } = await s3ClientFor(inputs);
  const what = `s3://${bucket}/${key}`;
  const folder = await mkdtemp(join(context.workdir ?? process.cwd(), 's3-get-'));
  const file = join(folder, fileNameOf(key));
  try {
    const body = /** @type {import('node:http').IncomingMessage} */ (await client.getObject(bucket, key));
    const headers = body.headers;
    await pipeline(body, createWriteStream(file));
    return {
      file,
      content_type: String(headers['content-type'] ?? 'application/octet-stream'),
      size: Number(headers['content-length']),
      etag: String(headers.etag ?? '').replace(/"/g, ''),
    };
  } catch (error) {
    throw s3Error(error, what);
  }
}

/** The last part of the key, or a plain name for a key that ends in / or has nothing usable. @param {string} key */
function fileNameOf(key) {
  const name = basename(key.replace(/\\/g, '/'));
  return name === '' || name === '.' || name === '..' ? 'object' : name;
}
