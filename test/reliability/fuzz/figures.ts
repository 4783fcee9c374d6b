import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Reply } from './send.js';

/**
 * What the suite promises of every answer: no 5xx, and every 4xx an application/problem+json
 * with a `code` and the answer's own status. Anything else is a defect, with the request that
 * shows it.
 */
export function verdict(reply: Reply): string | undefined {
  if (reply.status === 0) return `no answer: ${reply.error ?? 'none'}`;
  if (isWorkflowFailure(reply)) return undefined;
  if (reply.status >= 500) return `answered ${reply.status}: ${reply.text.slice(0, 300)}`;
  if (reply.status < 400) return undefined;
  if (!reply.contentType.startsWith('application/problem+json')) return `answered ${reply.status} as "${reply.contentType}", not application/problem+json: ${reply.text.slice(0, 200)}`;
  let problem: { code?: unknown; status?: unknown };
  try {
    problem = JSON.parse(reply.text) as typeof problem;
  } catch {
    return `answered ${reply.status} with a problem that is not JSON: ${reply.text.slice(0, 200)}`;
  }
  if (typeof problem.code !== 'string' || problem.code === '') return `answered a ${reply.status} problem without a code: ${reply.text.slice(0, 200)}`;
  if (problem.status !== reply.status) return `answered ${reply.status} with a problem saying status ${String(problem.status)}: ${reply.text.slice(0, 200)}`;
  return undefined;
}

/**
 * A workflow's own failure, answered as documented (docs/workflows.md): an HTTP trigger or a
 * run's result whose run failed answers 500 run_failed with the run's id (the fixture's add-one
 * fails on a number it cannot add to). The run is the caller's to read, not a fault of a service.
 */
export function isWorkflowFailure(reply: Reply): boolean {
  if (reply.status !== 500 || !reply.contentType.startsWith('application/problem+json')) return false;
  try {
    const problem = JSON.parse(reply.text) as { code?: unknown; run_id?: unknown };
    return problem.code === 'run_failed' && typeof problem.run_id === 'string';
  } catch {
    return false;
  }
}

export type Failure = {
  index: number; operation: string; kind: string; variant: string; credential: string; problem: string; replay: string; curl: string;
  /** For a request with no answer: what the gateway and the services logged of it (evidenceOf). */
  evidence: string[];
};

export type Figures = {
  seed: number;
  scale: string;
  requests: number;
  durationMs: number;
  byGroup: Record<string, { requests: number; failures: number; statuses: Record<string, number> }>;
  statuses: Record<string, number>;
  byKind: Record<string, number>;
  codes: Record<string, number>;
  failures: Failure[];
  health: Record<string, string>;
  /** Answers that were a workflow's own run failure (see isWorkflowFailure). */
  workflowFailures: number;
};

export function emptyFigures(seed: number, scale: string): Figures {
  return { seed, scale, requests: 0, durationMs: 0, byGroup: {}, statuses: {}, byKind: {}, codes: {}, failures: [], health: {}, workflowFailures: 0 };
}

const bump = (counts: Record<string, number>, key: string) => void (counts[key] = (counts[key] ?? 0) + 1);

export function count(figures: Figures, group: string, kind: string, reply: Reply): void {
  figures.requests += 1;
  const status = reply.status === 0 ? 'no answer' : String(reply.status);
  const entry = (figures.byGroup[group] ??= { requests: 0, failures: 0, statuses: {} });
  entry.requests += 1;
  bump(entry.statuses, status);
  bump(figures.statuses, status);
  bump(figures.byKind, kind);
  if (isWorkflowFailure(reply)) figures.workflowFailures += 1;
  if (reply.status >= 400 && reply.contentType.startsWith('application/problem+json')) {
    try {
      bump(figures.codes, `${reply.status} ${String((JSON.parse(reply.text) as { code?: unknown }).code)}`);
    } catch {
      // counted as a failure by the verdict
    }
  }
}

export function markdown(figures: Figures): string {
  const statusList = (statuses: Record<string, number>) => Object.entries(statuses).sort().map(([status, n]) => `${status}: ${n}`).join(', ');
  return [
    `# Fuzzing every route (${figures.scale}, seed ${figures.seed})`, '',
    `${figures.requests} requests through the gateway in ${(figures.durationMs / 1000).toFixed(1)} s; ${figures.failures.length} failures (5xx, no answer, or a 4xx that is not a problem with a code).`, '',
    '| route group | requests | failures | statuses |', '|---|---:|---:|---|',
    ...Object.entries(figures.byGroup).sort().map(([group, entry]) => `| ${group} | ${entry.requests} | ${entry.failures} | ${statusList(entry.statuses)} |`),
    `| **all** | ${figures.requests} | ${figures.failures.length} | ${statusList(figures.statuses)} |`, '',
    `Requests by kind: ${statusList(figures.byKind)}. Of the 500s, ${figures.workflowFailures} were the fixture workflow's own failed runs (500 run_failed with the run's id, as documented), not failures of a service.`, '',
    '| problem code | answers |', '|---|---:|',
    ...Object.entries(figures.codes).sort((a, b) => b[1] - a[1]).map(([code, n]) => `| ${code} | ${n} |`), '',
    `After the run: ${Object.entries(figures.health).map(([what, state]) => `${what} ${state}`).join('; ')}.`, '',
    ...(figures.failures.length > 0
      ? ['## Failures', '', ...figures.failures.slice(0, 50).map((failure) => `- #${failure.index} ${failure.operation} (${failure.kind}/${failure.variant}, as ${failure.credential}): ${failure.problem.replace(/\n/g, ' ')}\n  \`${failure.curl}\``)]
      : []),
    '',
  ].join('\n');
}

/** The figures, and the services' error lines (what a failure's request id finds) for the one who looks into them. */
export async function writeResults(figures: Figures, serviceErrors: string[]): Promise<void> {
  const folder = resolve(import.meta.dirname, '../results');
  await mkdir(folder, { recursive: true });
  await writeFile(resolve(folder, 'fuzz.json'), `${JSON.stringify(figures, null, 2)}\n`);
  await writeFile(resolve(folder, 'fuzz.md'), markdown(figures));
  await writeFile(resolve(folder, 'fuzz-service-errors.log'), serviceErrors.join('\n'));
}
