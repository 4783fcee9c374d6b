// @ts-check
// Reads the answer's body as the step asked, never holding more than max_response_bytes: the
// body is streamed and the read stops as soon as it goes over.
import { createWriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ActionError } from './errors.js';
import { shownUrl } from './request-plan.js';

/**
 * @param {import('undici').Dispatcher.ResponseData} response
 * @param {URL} url
 * @param {number} maxBytes
 */
function checkDeclaredLength(response, url, maxBytes) {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(url, maxBytes);
}

/**
 * @param {URL} url
 * @param {number} maxBytes
 */
function tooLarge(url, maxBytes) {
  return new ActionError(`the answer of ${shownUrl(url)} is larger than max_response_bytes (${maxBytes} bytes)`, 'response_too_large');
}

/**
 * The whole body in memory, refused past maxBytes.
 * @param {import('undici').Dispatcher.ResponseData} response
 * @param {URL} url
 * @param {number} maxBytes
 * @returns {Promise<Buffer>}
 */
export async function readBytes(response, url, maxBytes) {
  checkDeclaredLength(response, url, maxBytes);
  /** @type {Buffer[]} */
  const chunks = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.length;
    if (size > maxBytes) {
      response.body.destroy();
      throw tooLarge(url, maxBytes);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * The first characters of the body, for an error message; the rest is not read.
 * @param {import('undici').Dispatcher.ResponseData} response
 * @param {number} chars
 */
export async function readStart(response, chars) {
  let text = '';
  for await (const chunk of response.body) {
    text += chunk.toString('utf8');
    if (text.length >= chars) break;
  }
  response.body.destroy();
  return text.slice(0, chars);
}

/**
 * The body written to a file in the execution's folder, refused past maxBytes.
 * @param {import('undici').Dispatcher.ResponseData} response
 * @param {URL} url
 * @param {number} maxBytes
 * @param {string | undefined} workdir
 * @returns {Promise<string>} the file's path
 */
export async function saveToFile(response, url, maxBytes, workdir) {
  checkDeclaredLength(response, url, maxBytes);
  const folder = workdir ?? (await mkdtemp(join(tmpdir(), 'http-request-')));
  const path = join(folder, fileNameOf(url));
  let size = 0;
  const limit = new Transform({
    transform(chunk, _encoding, done) {
      size += chunk.length;
      done(size > maxBytes ? tooLarge(url, maxBytes) : null, chunk);
    },
  });
  await pipeline(response.body, limit, createWriteStream(path));
  return path;
}

/**
 * The last segment of the URL's path, made safe as a file name.
 * @param {URL} url
 */
function fileNameOf(url) {
  const last = decodeURIComponent(url.pathname.split('/').pop() ?? '').replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  return last === '' ? 'response' : last.slice(0, 100);
}

/**
 * What to read the body as when response_as is auto.
 * @param {string | string[] | undefined} contentType
 * @returns {'json' | 'text' | 'file'}
 */
export function kindOfContent(contentType) {
  const type = String(Array.isArray(contentType) ? contentType[0] : contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type.startsWith('text/') || type === 'application/xml' || type.endsWith('+xml') || type === 'application/javascript' || type === 'application/x-www-form-urlencoded') return 'text';
  return type === '' ? 'text' : 'file';
}
