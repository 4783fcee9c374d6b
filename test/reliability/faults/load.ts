import { randomUUID } from 'node:crypto';
import { makeTestRepository, type TestRepository } from '../../../services/repository/test/git-fixtures.js';
import { until } from '../support/until.js';

// Answers are read field by field; typing every body would restate the schemas.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;
export type Api = (method: string, path: string, body?: { json?: unknown; yaml?: string }) => Promise<{ status: number; text: string; body: Body }>;

export function makeApi(base: string, token: string): Api {
  return async (method, path, request = {}) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    let body: string | undefined;
    if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    } else if (request.yaml !== undefined) {
      headers['content-type'] = 'application/yaml';
      body = request.yaml;
    }
    const answer = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await answer.text();
    return { status: answer.status, text, body: (answer.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : undefined };
  };
}

/** add-one and the ticker, from a git repository of the test's, scanned and built; the repository must be closed at the end. */
export async function buildActions(api: Api): Promise<TestRepository> {
  const repo = await makeTestRepository();
  await repo.copyExample('add-one', 'actions/add-one');
  await repo.copyExample('ticker', 'actions/ticker');
  await repo.commit({});
  const source = await api('POST', '/repository/sources', { json: { name: 'actions', url: repo.fileUrl } });
  if (source.status !== 201) throw new Error(`adding the source answered ${source.status}: ${source.text}`);
  const scan = await api('POST', `/repository/sources/${source.body.id}/scan`);
  await until(() => api('GET', `/repository/sources/${source.body.id}/scans/${scan.body.id}`), (a) => a.body?.status === 'done', { timeoutMs: 90_000 });
  const build = await api('POST', `/repository/sources/${source.body.id}/build`);
  if (build.status !== 202) throw new Error(`the build answered ${build.status}: ${build.text}`);
  for (const action of ['add-one', 'ticker']) await until(() => api('GET', `/studio/actions/${action}`), (a) => a.status === 200, { timeoutMs: 300_000, everyMs: 1000 });
  return repo;
}

/** Imports and deploys a workflow; resolves with its id once it is deployed. */
export async function deploy(api: Api, yaml: string): Promise<string> {
  const imported = await api('POST', '/studio/workflows/import', { yaml });
  if (imported.status !== 201) throw new Error(`import answered ${imported.status}: ${imported.text}`);
  const deployed = await api('POST', `/studio/workflows/${imported.body.id}/deploy`);
  if (deployed.status !== 202) throw new Error(`deploy answered ${deployed.status}: ${deployed.text}`);
  await until(() => api('GET', `/studio/workflows/${imported.body.id}`), (a) => a.body?.deployment?.status === 'deployed', { timeoutMs: 60_000 });
  return imported.body.id as string;
}

/** How a call ended: the run it started, or the last answer that refused it (`502 bad_gateway`, `no answer: ...`) with its key and input. */
export type CallOutcome = { runId: string; retries: number } | { refused: string; key: string; n: number; retries: number };

/** Answers a careful client sends again, with the same Idempotency-Key: no answer, or a 5xx. */
const isRetryable = (refused: string) => refused.startsWith('no answer') || /^5\d\d/.test(refused);
const CALL_ATTEMPTS = 4;

/** One async HTTP trigger call through the gateway, with its Idempotency-Key. */
async function callOnce(gatewayBase: string, path: string, n: number, key: string): Promise<{ runId: string } | { refused: string }> {
  try {
    const answer = await fetch(`${gatewayBase}/user-api/default/${path}`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify({ n }), signal: AbortSignal.timeout(15_000),
    });
    const body = (await answer.json().catch(() => ({}))) as { run_id?: string; code?: string };
    // 202 names the run in its body; a run that had already ended (a key sent again) answers 200, named in a header.
    const runId = answer.status === 202 ? body.run_id : answer.status === 200 ? answer.headers.get('trellis-run-id') ?? undefined : undefined;
    if (runId) return { runId };
    return { refused: `${answer.status} ${body.code ?? ''}`.trim() };
  } catch (error) {
    return { refused: `no answer: ${error instanceof Error ? error.name : String(error)}` };
  }
}

/**
 * A call as a careful client makes it: an Idempotency-Key of its own, sent again with the same key
 * after no answer or a 5xx (a fault in progress), a few times, so that a run the platform made
 * without its answer reaching the caller is named to it by the next try, never made twice.
 */
export async function startRun(gatewayBase: string, path: string, n: number, key: string = randomUUID()): Promise<CallOutcome> {
  let refused = '';
  for (let attempt = 1; attempt <= CALL_ATTEMPTS; attempt++) {
    const outcome = await callOnce(gatewayBase, path, n, key);
    if ('runId' in outcome) return { runId: outcome.runId, retries: attempt - 1 };
    refused = outcome.refused;
    if (!isRetryable(refused) || attempt === CALL_ATTEMPTS) return { refused, key, n, retries: attempt - 1 };
    await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
  }
  return { refused, key, n, retries: CALL_ATTEMPTS - 1 };
}

/** The runs calls started, how many were refused by each answer, the calls given up (to send again once the fault is over) and the tries sent again. */
export type Calls = { accepted: string[]; refused: number; refusals: Record<string, number>; gaveUp: { key: string; n: number }[]; retries: number };

export const noCalls = (): Calls => ({ accepted: [], refused: 0, refusals: {}, gaveUp: [], retries: 0 });

function count(calls: Calls, outcome: CallOutcome): void {
  calls.retries += outcome.retries;
  if ('runId' in outcome) {
    calls.accepted.push(outcome.runId);
    return;
  }
  calls.refused += 1;
  calls.refusals[outcome.refused] = (calls.refusals[outcome.refused] ?? 0) + 1;
  if (isRetryable(outcome.refused)) calls.gaveUp.push({ key: outcome.key, n: outcome.n });
}

/** The calls given up during faults, sent again with their keys once the platform is whole: each learns its run (made then or now). */
export async function sendAgain(gatewayBase: string, path: string, gaveUp: readonly { key: string; n: number }[]): Promise<Calls> {
  const calls = noCalls();
  for (const call of gaveUp) count(calls, await startRun(gatewayBase, path, call.n, call.key));
  return calls;
}

/** `count` calls at once. */
export async function startRuns(gatewayBase: string, path: string, inputs: readonly number[]): Promise<Calls> {
  const calls = noCalls();
  for (const outcome of await Promise.all(inputs.map((n) => startRun(gatewayBase, path, n)))) count(calls, outcome);
  return calls;
}

/** Calls made one after another, every `everyMs`, while a fault lasts: what users send meanwhile. */
export function trickle(gatewayBase: string, path: string, nextInput: () => number, everyMs = 300): { stop: () => Promise<Calls> } {
  const calls = noCalls();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      count(calls, await startRun(gatewayBase, path, nextInput()));
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return calls;
    },
  };
}
