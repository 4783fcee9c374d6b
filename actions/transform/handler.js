// @ts-check
// transform: reshapes JSON with a JSONata expression (https://jsonata.org). JSONata has no way to
// run code, read files or reach the network; what is left to guard is time and memory.
import { Worker } from 'node:worker_threads';
import { ActionError } from './errors.js';

const MAX_DEPTH = 500;
const MAX_SEQUENCE = 1_000_000;
const WORKER_HEAP_MB = 256;
/** JSONata's own timeout check runs between steps; the worker is stopped for good a little later. */
const HARD_STOP_GRACE_MS = 500;

/**
 * @param {{ data?: unknown, expression?: string, bindings?: unknown, timeout_ms?: number }} inputs
 * @param {{ signal?: AbortSignal }} [context]
 */
export async function handle(inputs, context = {}) {
  const expression = inputs.expression;
  if (typeof expression !== 'string' || expression.trim() === '') throw new ActionError('expression is empty: give a JSONata expression, e.g. items.price', 'bad_expression');
  const timeoutMs = inputs.timeout_ms ?? 5000;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new ActionError('timeout_ms must be a positive whole number', 'bad_input');
  const outcome = await evaluateInWorker(
    { expression, data: inputs.data ?? null, bindings: bindingsOf(inputs.bindings), timeoutMs, maxDepth: MAX_DEPTH, maxSequence: MAX_SEQUENCE },
    context.signal,
  );
  if (outcome.ok) return { result: JSON.parse(outcome.json) };
  throw errorOf(outcome, expression, timeoutMs);
}

/** @param {unknown} bindings */
function bindingsOf(bindings) {
  if (bindings === undefined || bindings === null) return {};
  if (typeof bindings !== 'object' || Array.isArray(bindings)) throw new ActionError('bindings must be a JSON object: {"rate": 1.2} is $rate in the expression', 'bad_input');
  for (const name of Object.keys(bindings)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ActionError(`bindings: ${JSON.stringify(name)} is not a variable name (letters, digits and _)`, 'bad_input');
  }
  return /** @type {Record<string, unknown>} */ (bindings);
}

/**
 * @typedef {{ code: string | null, message: string, position: number | null, token: string | null }} JsonataFailure
 * @typedef {{ ok: true, json: string } | { ok: false, stage: 'parse' | 'evaluate' | 'result' | 'stopped' | 'crashed', error: JsonataFailure }} Outcome
 */

/**
 * @param {object} job
 * @param {AbortSignal | undefined} signal
 * @returns {Promise<Outcome>}
 */
function evaluateInWorker(job, signal) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./evaluate-worker.js', import.meta.url), {
      workerData: job,
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    const none = { code: null, position: null, token: null };
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve({ ok: false, stage: 'stopped', error: { ...none, message: 'stopped' } });
    }, /** @type {{ timeoutMs: number }} */ (job).timeoutMs + HARD_STOP_GRACE_MS);
    const abandon = () => void worker.terminate();
    signal?.addEventListener('abort', abandon, { once: true });
    const finish = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abandon);
    };
    worker.once('message', (outcome) => {
      finish();
      resolve(outcome);
      void worker.terminate();
    });
    worker.once('error', (error) => {
      finish();
      // ERR_WORKER_OUT_OF_MEMORY: the expression built something too large.
      const code = /** @type {{ code?: string }} */ (error).code ?? null;
      resolve({ ok: false, stage: 'crashed', error: { ...none, code, message: error.message } });
    });
    worker.once('exit', () => {
      finish();
      reject(new Error('the evaluation stopped without an answer'));
    });
  });
}

/**
 * @param {Extract<Outcome, { ok: false }>} outcome
 * @param {string} expression
 * @param {number} timeoutMs
 */
function errorOf(outcome, expression, timeoutMs) {
  const { stage, error } = outcome;
  if (stage === 'stopped' || error.code === 'D1012') {
    return new ActionError(`the expression ran longer than timeout_ms (${timeoutMs} ms); look for an endless recursion or a costly regular expression`, 'evaluation_timeout');
  }
  const where = error.position !== null ? ` (${positionOf(expression, error.position)})` : '';
  if (stage === 'parse') return new ActionError(`the expression does not parse: ${error.message}${where}`, 'bad_expression');
  if (error.code === 'D1011') return new ActionError(`the expression recursed deeper than ${MAX_DEPTH} levels${where}`, 'evaluation_failed');
  if (error.code === 'D2015') return new ActionError(`the expression built a sequence of more than ${MAX_SEQUENCE} items${where}`, 'evaluation_failed');
  if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') return new ActionError(`the expression used more than ${WORKER_HEAP_MB} MiB of memory`, 'evaluation_failed');
  return new ActionError(`the expression failed: ${error.message}${where}`, 'evaluation_failed');
}

/**
 * JSONata gives a character offset just past the offending token; people read lines and columns.
 * @param {string} expression
 * @param {number} position
 */
function positionOf(expression, position) {
  const before = expression.slice(0, Math.max(0, position));
  const lines = before.split('\n');
  return `at line ${lines.length}, column ${(lines.at(-1) ?? '').length}, character ${position}`;
}
