// @ts-check
// Turns the step's inputs into a request: the URL with its query, the headers, the credentials
// and a body that can be made again for a retry or a redirect.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ActionError } from './errors.js';

/**
 * @typedef {object} RequestPlan
 * @property {string} method
 * @property {URL} url
 * @property {Record<string, string>} headers the user's headers, names in lower case
 * @property {string | null} authorization the Authorization header from `auth`, kept apart so it
 *   is dropped on a cross-origin redirect and never printed
 * @property {(() => Promise<BodyPart>) | null} makeBody a fresh body for each attempt
 */

/**
 * @typedef {object} BodyPart
 * @property {string | import('node:stream').Readable} content
 * @property {string} contentType
 * @property {number} [length]
 */

/** Names that carry credentials: dropped when a redirect leaves the origin. */
export const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

/**
 * @param {Record<string, any>} inputs
 * @returns {RequestPlan}
 */
export function planRequest(inputs) {
  const url = parseUrl(inputs.url);
  addQuery(url, inputs.query);
  const headers = headersFrom(inputs.headers);
  return {
    method: inputs.method ?? 'GET',
    url,
    headers,
    authorization: authorizationOf(inputs),
    makeBody: bodyMaker(inputs),
  };
}

/** @param {unknown} text */
function parseUrl(text) {
  if (typeof text !== 'string' || text.trim() === '') throw new ActionError('url is empty: give an http:// or https:// URL', 'bad_url');
  let url;
  try {
    url = new URL(text.trim());
  } catch {
    throw new ActionError(`url is not a valid URL: ${JSON.stringify(text.slice(0, 200))}`, 'bad_url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ActionError(`url must start with http:// or https://, not ${url.protocol}//`, 'bad_url');
  }
  // Credentials in the URL would end up in error messages and logs: ask for the auth inputs.
  if (url.username || url.password) {
    throw new ActionError('url holds a user name or password: use auth with username/password or token instead', 'bad_url');
  }
  return url;
}

/**
 * @param {URL} url
 * @param {unknown} query
 */
function addQuery(url, query) {
  if (query === undefined || query === null) return;
  if (typeof query !== 'object' || Array.isArray(query)) throw new ActionError('query must be a JSON object of parameter names to values', 'bad_input');
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === null || item === undefined) continue;
      url.searchParams.append(name, typeof item === 'object' ? JSON.stringify(item) : String(item));
    }
  }
}

/** @param {unknown} given */
function headersFrom(given) {
  /** @type {Record<string, string>} */
  const headers = {};
  if (given === undefined || given === null) return headers;
  if (typeof given !== 'object' || Array.isArray(given)) throw new ActionError('headers must be a JSON object of header names to values', 'bad_input');
  for (const [name, value] of Object.entries(given)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new ActionError(`headers: ${JSON.stringify(name)} is not a valid header name`, 'bad_input');
    if (value === null || value === undefined) continue;
    if (typeof value === 'object') throw new ActionError(`headers: the value of ${name} must be a string`, 'bad_input');
    const text = String(value);
    if (/[\r\n\0]/.test(text)) throw new ActionError(`headers: the value of ${name} holds a line break`, 'bad_input');
    headers[name.toLowerCase()] = text;
  }
  return headers;
}

/**
 * @param {Record<string, any>} inputs
 * @returns {string | null}
 */
function authorizationOf(inputs) {
  switch (inputs.auth ?? 'none') {
    case 'none':
      return null;
    case 'basic': {
      if (!inputs.username) throw new ActionError('auth is basic: give username (and password)', 'bad_input');
      if (String(inputs.username).includes(':')) throw new ActionError('username may not contain ":" with basic auth', 'bad_input');
      return `Basic ${Buffer.from(`${inputs.username}:${inputs.password ?? ''}`).toString('base64')}`;
    }
    case 'bearer':
      if (!inputs.token) throw new ActionError('auth is bearer: give token, e.g. ${{ secrets.API_TOKEN }}', 'bad_input');
      return `Bearer ${inputs.token}`;
    default:
      throw new ActionError(`auth must be none, basic or bearer, not ${inputs.auth}`, 'bad_input');
  }
}

/**
 * @param {Record<string, any>} inputs
 * @returns {(() => Promise<BodyPart>) | null}
 */
function bodyMaker(inputs) {
  const type = inputs.body_type ?? 'none';
  switch (type) {
    case 'none':
      return null;
    case 'json': {
      if (inputs.body_json === undefined || inputs.body_json === null) throw new ActionError('body_type is json: give body_json', 'bad_input');
      const text = JSON.stringify(inputs.body_json);
      return async () => ({ content: text, contentType: 'application/json' });
    }
    case 'text': {
      if (typeof inputs.body_text !== 'string') throw new ActionError('body_type is text: give body_text', 'bad_input');
      const text = inputs.body_text;
      return async () => ({ content: text, contentType: 'text/plain; charset=utf-8' });
    }
    case 'form': {
      const form = inputs.body_form;
      if (typeof form !== 'object' || form === null || Array.isArray(form)) throw new ActionError('body_type is form: give body_form, a JSON object of field names to values', 'bad_input');
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(form)) {
        for (const item of Array.isArray(value) ? value : [value]) {
          if (item !== null && item !== undefined) params.append(name, typeof item === 'object' ? JSON.stringify(item) : String(item));
        }
      }
      const text = params.toString();
      return async () => ({ content: text, contentType: 'application/x-www-form-urlencoded' });
    }
    case 'file': {
      const path = inputs.body_file;
      if (typeof path !== 'string') throw new ActionError('body_type is file: give body_file', 'bad_input');
      // Streamed from disk on each attempt, never read whole into memory.
      return async () => ({ content: createReadStream(path), contentType: 'application/octet-stream', length: (await stat(path)).size });
    }
    default:
      throw new ActionError(`body_type must be none, json, text, form or file, not ${type}`, 'bad_input');
  }
}

/**
 * The URL as it may be shown: no query string (it may hold an API key).
 * @param {URL} url
 */
export function shownUrl(url) {
  return `${url.origin}${url.pathname}`;
}
