// @ts-check
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { isIP } from 'node:net';
import * as Minio from 'minio';
import { ActionError } from './errors.js';
import { checkedAddress } from './network-guard.js';

/**
 * A client for any S3 endpoint (AWS, MinIO, Ceph, the platform's own store). Its sockets go to
 * the address the network guard checked, whatever the name resolves to later.
 * @param {Record<string, any>} inputs
 * @returns {Promise<{ client: Minio.Client, bucket: string }>}
 */
export async function s3ClientFor(inputs) {
  const endpoint = parseEndpoint(inputs.endpoint);
  const bucket = String(inputs.bucket ?? '').trim();
  if (bucket === '') throw new ActionError('bucket is empty: give the bucket name', 'bad_input');
  const address = await checkedAddress(endpoint.host, 's3_error');
  const client = new Minio.Client({
    endPoint: endpoint.host,
    port: endpoint.port,
    useSSL: endpoint.useSSL,
    accessKey: String(inputs.access_key ?? ''),
    secretKey: String(inputs.secret_key ?? ''),
    region: inputs.region || 'us-east-1',
    pathStyle: inputs.path_style !== false,
    transportAgent: agentTo(address, endpoint.useSSL),
  });
  return { client, bucket };
}

/** @param {unknown} text */
function parseEndpoint(text) {
  /** @type {URL} */
  let url;
  try {
    url = new URL(String(text ?? ''));
  } catch {
    throw new ActionError(`endpoint ${String(text)} is not a URL: give e.g. https://s3.amazonaws.com`, 'bad_input');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ActionError('endpoint must start with https:// or http://', 'bad_input');
  const useSSL = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, useSSL, port: url.port ? Number(url.port) : useSSL ? 443 : 80 };
}

/**
 * An agent whose every connection goes to `address`; TLS still checks the endpoint's name.
 * @param {string} address @param {boolean} useSSL
 */
function agentTo(address, useSSL) {
  const family = isIP(address);
  /** @type {import('node:net').LookupFunction} */
  const lookup = (_hostname, options, callback) => {
    if (options.all) /** @type {any} */ (callback)(null, [{ address, family }]);
    else callback(null, address, family);
  };
  return useSSL ? new HttpsAgent({ lookup }) : new HttpAgent({ lookup });
}

/** S3's error codes, as the action's stable ones. */
const CODES = /** @type {Record<string, string>} */ ({
  NoSuchKey: 'no_such_key',
  NotFound: 'no_such_key',
  NoSuchBucket: 'no_such_bucket',
  AccessDenied: 'access_denied',
  InvalidAccessKeyId: 'access_denied',
  SignatureDoesNotMatch: 'access_denied',
});

/**
 * @param {unknown} error
 * @param {string} what the object or bucket the request was about, for the message
 */
export function s3Error(error, what) {
  if (error instanceof ActionError) return error;
  const { code, message } = /** @type {{ code?: string, message?: string }} */ (error);
  const mapped = (code && CODES[code]) ?? 's3_error';
  return new ActionError(`${what}: ${message ?? String(error)}${code ? ` (${code})` : ''}`, mapped);
}
