// @ts-check
// http-request: one HTTP call, with the network guard, retries, redirects and a size limit.
import { STATUS_CODES } from 'node:http';
import { Agent } from 'undici';
import { ActionError } from './errors.js';
import { sendWithRetries } from './exchange.js';
import { guardedLookup } from './network-guard.js';
import { planRequest, shownUrl } from './request-plan.js';
import { kindOfContent, readBytes, readStart, saveToFile } from './response-body.js';

const NO_BODY_STATUSES = new Set([204, 205, 304]);
const ERROR_BODY_CHARS = 500;

/**
 * @param {Record<string, any>} inputs
 * @param {{ workdir?: string, signal?: AbortSignal, log?: (...args: unknown[]) => void }} context
 */
export async function handle(inputs, context = {}) {
  const plan = planRequest(inputs);
  const maxBytes = positive(inputs.max_response_bytes ?? 10 * 1024 * 1024, 'max_response_bytes');
  // Every connection this agent opens resolves its host through the guard.
  const dispatcher = new Agent({ connect: { lookup: guardedLookup } });
  try {
    const { response, url, signal } = await sendWithRetries({
      plan,
      dispatcher,
      followRedirects: inputs.follow_redirects ?? true,
      retries: Math.max(0, Math.trunc(inputs.retries ?? 2)),
      retryUnsafe: inputs.retry_unsafe ?? false,
      timeoutMs: positive(inputs.timeout_ms ?? 30_000, 'timeout_ms'),
      stop: context.signal,
      log: (line) => (context.log ?? console.log)(line),
    });
    try {
      return await outputsOf(response, url, plan.method, inputs, maxBytes, context.workdir);
    } catch (error) {
      // The attempt's timeout also covers reading the body.
      if (signal.aborted && !context.signal?.aborted && !(error instanceof ActionError)) {
        throw new ActionError(`${plan.method} ${shownUrl(url)} got no complete answer within ${inputs.timeout_ms ?? 30_000} ms (timeout_ms)`, 'timeout');
      }
      throw error;
    }
  } finally {
    await dispatcher.close();
  }
}

/**
 * The step's outputs from the final answer; an error status fails the step unless fail_on_status is false.
 * @param {import('undici').Dispatcher.ResponseData} response
 * @param {URL} url
 * @param {string} method
 * @param {Record<string, any>} inputs
 * @param {number} maxBytes
 * @param {string | undefined} workdir
 */
async function outputsOf(response, url, method, inputs, maxBytes, workdir) {
  const status = response.statusCode;
  if (status >= 400 && (inputs.fail_on_status ?? true)) {
    const text = await readStart(response, ERROR_BODY_CHARS);
    const statusLine = `${status} ${STATUS_CODES[status] ?? ''}`.trim();
    throw new ActionError(
      `${method} ${shownUrl(url)} answered ${statusLine}: ${text}`,
      `http_${status}`,
    );
  }
  const outputs = { status, headers: response.headers, ok: status >= 200 && status < 300 };
  if (method === 'HEAD' || NO_BODY_STATUSES.has(status)) {
    await response.body.dump();
    return outputs;
  }
  return { ...outputs, ...(await bodyOutputs(response, url, inputs.response_as ?? 'auto', maxBytes, workdir)) };
}

/**
 * @param {import('undici').Dispatcher.ResponseData} response
 * @param {URL} url
 * @param {string} responseAs
 * @param {number} maxBytes
 * @param {string | undefined} workdir
 */
async function bodyOutputs(response, url, responseAs, maxBytes, workdir) {
  const kind = responseAs === 'auto' ? kindOfContent(response.headers['content-type']) : responseAs;
  if (kind === 'file') return { body_file: await saveToFile(response, url, maxBytes, workdir) };
  const text = (await readBytes(response, url, maxBytes)).toString('utf8');
  if (kind === 'text') return { body_text: text };
  if (text.trim() === '') return {};
  try {
    return { body_json: JSON.parse(text) };
  } catch {
    throw new ActionError(`the answer of ${shownUrl(url)} is not valid JSON: ${text.slice(0, 200)}`, 'bad_response_json');
  }
}

/**
 * @param {unknown} value
 * @param {string} name
 */
function positive(value, name) {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new ActionError(`${name} must be a positive number`, 'bad_input');
  return value;
}
