// @ts-check
// poll-http: fetches a URL on a timer and starts a run when it changed (or every time).
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { ActionError } from './errors.js';
import { checkLiteralHost, guardRefusalIn, guardedLookup } from './network-guard.js';

/**
 * @typedef {{ url: string, method?: 'GET' | 'HEAD', headers?: Record<string, string>, interval_seconds?: number,
 *   fire_on?: 'change' | 'every', compare?: 'body' | 'etag', timeout_ms?: number }} Inputs
 * @typedef {{ emit: (outputs: Record<string, unknown>) => Promise<void>, signal: AbortSignal,
 *   log: (...parts: unknown[]) => void, lastEvent?: Record<string, unknown> | null }} TriggerContext
 * @typedef {{ hash: string, etag?: string, lastModified?: string }} Seen what the last accepted run saw
 * @typedef {{ status: number, text: string, hash: string, etag?: string, lastModified?: string }} Answer
 */

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Polls until the trigger is stopped. What the last accepted run saw (hash, ETag, Last-Modified)
 * comes back as `context.lastEvent` after a restart, so an unchanged page does not fire again;
 * with no earlier run, the first poll fires. It is replaced only once a run was accepted, so a
 * refused run is tried again at the next poll. A failed poll (network error, timeout, 4xx/5xx)
 * is logged and retried at the next interval; a refused address or a wrong input fails the trigger.
 *
 * @param {TriggerContext} context
 * @param {Inputs} inputs
 */
export async function run(context, inputs) {
  const settings = settingsOf(inputs);
  // Every connection this agent opens resolves its host through the network guard.
  const dispatcher = new Agent({ connect: { lookup: guardedLookup } });
  /** @type {Seen | null} */
  let seen = seenIn(context.lastEvent);
  try {
    while (!context.signal.aborted) {
      const answer = await pollOnce(context, settings, dispatcher, seen);
      if (answer && (settings.fireOn === 'every' || changed(settings.compare, seen, answer))) {
        try {
          await context.emit(outputsOf(answer));
          seen = { hash: answer.hash, ...(answer.etag ? { etag: answer.etag } : {}), ...(answer.lastModified ? { lastModified: answer.lastModified } : {}) };
        } catch (error) {
          const reason = /** @type {{ code?: string, message?: string }} */ (error);
          context.log(`run refused (${reason?.code ?? 'error'}); the change is offered again at the next poll: ${reason?.message ?? error}`);
        }
      }
      await sleep(settings.intervalMs, undefined, { signal: context.signal }).catch(() => {});
    }
  } finally {
    await dispatcher.close();
  }
}

/** @param {Inputs} inputs */
function settingsOf(inputs) {
  /** @type {URL} */
  let url;
  try {
    url = new URL(String(inputs.url ?? ''));
  } catch {
    throw new ActionError(`url "${inputs.url}" is not a URL; write e.g. https://example.com/status`, 'bad_url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ActionError('url must start with http:// or https://', 'bad_url');
  const intervalSeconds = inputs.interval_seconds ?? 60;
  if (!Number.isInteger(intervalSeconds) || intervalSeconds < 1) throw new ActionError('interval_seconds must be a whole number of at least 1', 'bad_input');
  const timeoutMs = inputs.timeout_ms ?? 10_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new ActionError('timeout_ms must be a whole number of at least 1', 'bad_input');
  const headers = inputs.headers ?? {};
  if (typeof headers !== 'object' || Array.isArray(headers) || Object.values(headers).some((value) => typeof value !== 'string')) {
    throw new ActionError('headers must be a JSON object of names to text values', 'bad_input');
  }
  return {
    url, headers, timeoutMs,
    method: inputs.method ?? 'GET',
    intervalMs: intervalSeconds * 1000,
    fireOn: inputs.fire_on ?? 'change',
    compare: inputs.compare ?? 'body',
  };
}

/**
 * What the previous activation's last accepted run saw, from its outputs.
 *
 * @param {Record<string, unknown> | null | undefined} lastEvent
 * @returns {Seen | null}
 */
function seenIn(lastEvent) {
  if (!lastEvent || typeof lastEvent.hash !== 'string') return null;
  return {
    hash: lastEvent.hash,
    ...(typeof lastEvent.etag === 'string' ? { etag: lastEvent.etag } : {}),
    ...(typeof lastEvent.last_modified === 'string' ? { lastModified: lastEvent.last_modified } : {}),
  };
}

/**
 * @param {'body' | 'etag'} compare
 * @param {Seen | null} seen
 * @param {Answer} answer
 */
function changed(compare, seen, answer) {
  if (!seen) return true;
  if (compare === 'etag' && answer.etag) return answer.etag !== seen.etag;
  return answer.hash !== seen.hash;
}

/**
 * One poll: the answer, or null when unchanged (304) or failed (logged).
 *
 * @param {TriggerContext} context
 * @param {ReturnType<typeof settingsOf>} settings
 * @param {Agent} dispatcher
 * @param {Seen | null} seen
 * @returns {Promise<Answer | null>}
 */
async function pollOnce(context, settings, dispatcher, seen) {
  const signal = AbortSignal.any([context.signal, AbortSignal.timeout(settings.timeoutMs)]);
  /** @type {Record<string, string>} */
  const headers = { ...settings.headers };
  // Validators make an unchanged page cost a 304 and no body; only useful when a change is what fires.
  if (seen && settings.fireOn === 'change') {
    if (seen.etag) headers['if-none-match'] = seen.etag;
    if (seen.lastModified) headers['if-modified-since'] = seen.lastModified;
  }
  try {
    const response = await follow(settings.url, settings.method, headers, dispatcher, signal);
    if (response.statusCode === 304) {
      await response.body.dump();
      return null;
    }
    if (response.statusCode < 200 || response.statusCode >= 300) {
      await response.body.dump();
      context.log(`poll of ${shown(settings.url)} answered ${response.statusCode}; trying again in ${settings.intervalMs / 1000} s`);
      return null;
    }
    const bytes = await readLimited(response.body);
    const etag = headerOf(response.headers, 'etag');
    const lastModified = headerOf(response.headers, 'last-modified');
    return {
      status: response.statusCode,
      text: bytes.toString('utf8'),
      hash: createHash('sha256').update(bytes).digest('hex'),
      ...(etag ? { etag } : {}),
      ...(lastModified ? { lastModified } : {}),
    };
  } catch (error) {
    const refusal = guardRefusalIn(error);
    if (refusal) throw refusal;
    if (error instanceof ActionError) throw error;
    if (context.signal.aborted) return null;
    context.log(`poll of ${shown(settings.url)} failed (${/** @type {Error} */ (error).message}); trying again in ${settings.intervalMs / 1000} s`);
    return null;
  }
}

/**
 * Sends the request and follows redirects, checking each hop's host (a name through the guarded
 * lookup, an IP literal here). Credentials are not sent to another origin.
 *
 * @param {URL} start
 * @param {string} method
 * @param {Record<string, string>} headers
 * @param {Agent} dispatcher
 * @param {AbortSignal} signal
 */
async function follow(start, method, headers, dispatcher, signal) {
  let url = start;
  let sent = headers;
  for (let hop = 0; ; hop++) {
    checkLiteralHost(url);
    const response = await request(url, { method: /** @type {'GET'} */ (method), headers: sent, dispatcher, signal });
    const location = headerOf(response.headers, 'location');
    if (!REDIRECTS.has(response.statusCode) || !location) return response;
    await response.body.dump();
    if (hop >= MAX_REDIRECTS) throw new ActionError(`${shown(start)} redirects more than ${MAX_REDIRECTS} times`, 'too_many_redirects');
    const next = new URL(location, url);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new ActionError(`${shown(url)} redirects to a ${next.protocol} URL`, 'bad_redirect');
    if (next.origin !== url.origin) sent = withoutCredentials(sent);
    url = next;
  }
}

/** @param {Record<string, string>} headers */
function withoutCredentials(headers) {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !['authorization', 'cookie', 'proxy-authorization'].includes(name.toLowerCase())));
}

/**
 * @param {import('undici').Dispatcher.ResponseData['body']} body
 * @returns {Promise<Buffer>}
 */
async function readLimited(body) {
  /** @type {Buffer[]} */
  const chunks = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      body.destroy();
      throw new ActionError(`the answer is larger than ${MAX_BODY_BYTES} bytes; poll a smaller resource, or use HEAD with compare etag`, 'body_too_large');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** @param {Answer} answer */
function outputsOf(answer) {
  /** @type {Record<string, unknown>} */
  const outputs = { status: answer.status, body_text: answer.text, hash: answer.hash, changed_at: new Date().toISOString() };
  try {
    outputs.body_json = JSON.parse(answer.text);
  } catch {
    // Not JSON: body_text alone.
  }
  if (answer.etag) outputs.etag = answer.etag;
  if (answer.lastModified) outputs.last_modified = answer.lastModified;
  return outputs;
}

/**
 * @param {import('undici').Dispatcher.ResponseData['headers']} headers
 * @param {string} name
 */
function headerOf(headers, name) {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The URL without its query (which may hold a token), for logs and messages. @param {URL} url */
function shown(url) {
  return `${url.origin}${url.pathname}`;
}
