// @ts-check
// Sends the request: follows redirects (checking each hop and dropping credentials when the
// origin changes) and retries what is safe to retry.
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { ActionError } from './errors.js';
import { checkLiteralHost, guardRefusalIn } from './network-guard.js';
import { CREDENTIAL_HEADERS, shownUrl } from './request-plan.js';

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const RETRY_STATUSES = new Set([429, 502, 503, 504]);
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/** Network failures worth another attempt; a refused name (ENOTFOUND) or a bad certificate is not. */
const RETRY_ERROR_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED',
]);
const BACKOFF_BASE_MS = 300;
const BACKOFF_MAX_MS = 10_000;

/**
 * @typedef {object} Exchange
 * @property {import('./request-plan.js').RequestPlan} plan
 * @property {import('undici').Dispatcher} dispatcher
 * @property {boolean} followRedirects
 * @property {number} retries
 * @property {boolean} retryUnsafe
 * @property {number} timeoutMs
 * @property {AbortSignal | undefined} stop the execution's signal (abandoned by the runner)
 * @property {(line: string) => void} log
 */

/**
 * @typedef {object} Answer
 * @property {import('undici').Dispatcher.ResponseData} response
 * @property {URL} url where the answer came from (after redirects)
 * @property {AbortSignal} signal the attempt's signal, still running while the body is read
 */

/**
 * @param {Exchange} exchange
 * @returns {Promise<Answer>}
 */
export async function sendWithRetries(exchange) {
  const { plan, retries } = exchange;
  const mayRetry = IDEMPOTENT_METHODS.has(plan.method) || exchange.retryUnsafe;
  for (let attempt = 1; ; attempt++) {
    const signal = attemptSignal(exchange);
    const last = !mayRetry || attempt > retries;
    let answer;
    try {
      answer = await sendFollowingRedirects(exchange, signal);
    } catch (error) {
      const failure = requestFailure(error, exchange, signal);
      if (last || !failure.retry) throw failure.error;
      await waitBeforeRetry(exchange, attempt, null, `${failure.error.message}`);
      continue;
    }
    const { statusCode } = answer.response;
    if (last || !RETRY_STATUSES.has(statusCode)) return answer;
    await answer.response.body.dump();
    await waitBeforeRetry(exchange, attempt, answer.response.headers['retry-after'], `status ${statusCode}`);
  }
}

/** @param {Exchange} exchange */
function attemptSignal(exchange) {
  const signals = [AbortSignal.timeout(exchange.timeoutMs)];
  if (exchange.stop) signals.push(exchange.stop);
  return AbortSignal.any(signals);
}

/**
 * @param {Exchange} exchange
 * @param {number} attempt
 * @param {string | string[] | undefined | null} retryAfter
 * @param {string} why
 */
async function waitBeforeRetry(exchange, attempt, retryAfter, why) {
  // Exponential backoff with jitter, so many runs failing together do not retry together.
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
  let delay = ceiling / 2 + Math.random() * (ceiling / 2);
  const asked = Number(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
  if (Number.isFinite(asked) && asked > 0) delay = Math.max(delay, Math.min(asked * 1000, BACKOFF_MAX_MS));
  exchange.log(`http-request: ${exchange.plan.method} ${shownUrl(exchange.plan.url)} failed (${why}); attempt ${attempt + 1} in ${Math.round(delay)} ms`);
  await sleep(delay, undefined, exchange.stop ? { signal: exchange.stop } : {});
}

/**
 * @param {Exchange} exchange
 * @param {AbortSignal} signal
 * @returns {Promise<Answer>}
 */
async function sendFollowingRedirects(exchange, signal) {
  const { plan } = exchange;
  let url = plan.url;
  let method = plan.method;
  let headers = { ...plan.headers };
  let authorization = plan.authorization;
  let withBody = plan.makeBody !== null;
  for (let hop = 0; ; hop++) {
    checkLiteralHost(url);
    const response = await sendOnce(exchange, { url, method, headers, authorization, withBody }, signal);
    const location = response.headers.location;
    if (!exchange.followRedirects || !REDIRECT_STATUSES.has(response.statusCode) || typeof location !== 'string') {
      return { response, url, signal };
    }
    await response.body.dump();
    if (hop >= MAX_REDIRECTS) {
      throw new ActionError(`${method} ${shownUrl(plan.url)} redirected more than ${MAX_REDIRECTS} times`, 'too_many_redirects');
    }
    const next = new URL(location, url);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new ActionError(`${shownUrl(url)} redirected to a ${next.protocol} URL, which is not followed`, 'bad_redirect');
    }
    if (next.origin !== url.origin) {
      // Credentials were meant for the first host only.
      authorization = null;
      headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.includes(name)));
    }
    // As browsers do: 303 turns anything but HEAD into GET, 301/302 turn POST into GET.
    if ((response.statusCode === 303 && method !== 'HEAD') || ((response.statusCode === 301 || response.statusCode === 302) && method === 'POST')) {
      method = 'GET';
      withBody = false;
      headers = Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'content-type' && name !== 'content-length'));
    }
    url = next;
  }
}

/**
 * @param {Exchange} exchange
 * @param {{ url: URL, method: string, headers: Record<string, string>, authorization: string | null, withBody: boolean }} hop
 * @param {AbortSignal} signal
 */
async function sendOnce(exchange, hop, signal) {
  /** @type {Record<string, string>} */
  const headers = { ...hop.headers };
  if (hop.authorization) headers.authorization = hop.authorization;
  /** @type {string | import('node:stream').Readable | undefined} */
  let body;
  if (hop.withBody && exchange.plan.makeBody) {
    const part = await exchange.plan.makeBody();
    body = part.content;
    headers['content-type'] ??= part.contentType;
    if (part.length !== undefined) headers['content-length'] = String(part.length);
  }
  return request(hop.url, {
    method: /** @type {import('undici').Dispatcher.HttpMethod} */ (hop.method),
    headers,
    body,
    signal,
    dispatcher: exchange.dispatcher,
  });
}

/**
 * What a thrown request error means for the user, and whether another attempt may help.
 * @param {unknown} error
 * @param {Exchange} exchange
 * @param {AbortSignal} signal
 * @returns {{ error: Error, retry: boolean }}
 */
function requestFailure(error, exchange, signal) {
  if (error instanceof ActionError) return { error, retry: false };
  const refused = guardRefusalIn(error);
  if (refused) return { error: refused, retry: false };
  const where = `${exchange.plan.method} ${shownUrl(exchange.plan.url)}`;
  if (exchange.stop?.aborted) return { error: /** @type {Error} */ (error), retry: false };
  if (signal.aborted) {
    return { error: new ActionError(`${where} got no complete answer within ${exchange.timeoutMs} ms (timeout_ms)`, 'timeout'), retry: false };
  }
  const code = errorCode(error);
  if (code === 'ENOTFOUND') return { error: new ActionError(`${where}: the host name ${exchange.plan.url.hostname} does not resolve`, 'host_not_found'), retry: false };
  if (code && (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL'))) {
    return { error: new ActionError(`${where}: the TLS connection failed (${code})`, 'tls_failed'), retry: false };
  }
  const retry = code !== null && RETRY_ERROR_CODES.has(code);
  return { error: new ActionError(`${where}: the connection failed (${code ?? describe(error)})`, 'connection_failed'), retry };
}

/** @param {unknown} error */
function errorCode(error) {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = /** @type {{ code?: unknown }} */ (current).code;
    if (typeof code === 'string' && code !== 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH') return code;
    current = /** @type {{ cause?: unknown }} */ (current).cause;
  }
  return null;
}

/** @param {unknown} error */
function describe(error) {
  return error instanceof Error ? error.message : String(error);
}
