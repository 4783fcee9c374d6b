// @ts-check
// Runs one JSONata evaluation in a worker thread, so the handler can stop it for good (a regular
// expression that backtracks forever never yields to JSONata's own timeout check) and its memory
// is capped on its own heap.
import { parentPort, workerData } from 'node:worker_threads';
import jsonata from 'jsonata';

/** @type {{ expression: string, data: unknown, bindings: Record<string, unknown>, timeoutMs: number, maxDepth: number, maxSequence: number }} */
const job = workerData;

/**
 * A JSONata error as plain data (it is a plain object, not an Error, with code and position).
 * @param {any} error
 */
function describe(error) {
  return {
    code: typeof error?.code === 'string' ? error.code : null,
    message: String(error?.message ?? error),
    position: typeof error?.position === 'number' ? error.position : null,
    token: typeof error?.token === 'string' ? error.token : null,
  };
}

async function main() {
  let compiled;
  try {
    compiled = jsonata(job.expression, { timeout: job.timeoutMs, stack: job.maxDepth, sequence: job.maxSequence });
  } catch (error) {
    return { ok: false, stage: 'parse', error: describe(error) };
  }
  try {
    const result = await compiled.evaluate(job.data, job.bindings);
    if (typeof result === 'function') return { ok: false, stage: 'result', error: { code: null, message: 'the expression returns a function, not a value', position: null, token: null } };
    // Through JSON: JSONata marks its arrays with extra properties, and undefined (no match) becomes null.
    return { ok: true, json: result === undefined ? 'null' : JSON.stringify(result) };
  } catch (error) {
    return { ok: false, stage: 'evaluate', error: describe(error) };
  }
}

parentPort?.postMessage(await main());
