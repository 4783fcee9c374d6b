import { HttpProblem } from '@trellis/platform/http/problem';
import type { RouteResult } from '@trellis/platform/http/route';
import type { RunEnd } from '../../application/engine-port.js';

/** Where a run is read (the 202 of an HTTP trigger points here). */
export const RUNS_BASE = '/runner/runs';

/** A run that goes on: where to read it. */
export const accepted = (runId: string): RouteResult => ({
  status: 202,
  headers: { location: `${RUNS_BASE}/${runId}` },
  body: { run_id: runId, status_url: `${RUNS_BASE}/${runId}`, result_url: `${RUNS_BASE}/${runId}/result` },
});

/** How a run's end answers an HTTP caller (the trigger's sync answer and the runs API's result). */
export function answerOfEnd(end: RunEnd): RouteResult {
  if (end.status === 'succeeded') return { status: 200, body: end.results ?? {} };
  if (end.status === 'canceled') throw new HttpProblem(409, 'run_canceled', 'Run canceled', 'The run was canceled before it ended.', undefined, undefined, { run_id: end.runId });
  const status = end.error?.httpStatus;
  if (status !== undefined && Number.isInteger(status) && status >= 400 && status <= 599) {
    const code = end.error?.code ?? 'action_error';
    throw new HttpProblem(status, code, 'The workflow failed', end.error?.message, undefined, undefined, { run_id: end.runId });
  }
  throw new HttpProblem(500, 'run_failed', 'The run failed', 'The run failed; its id finds it in the runs API.', undefined, undefined, { run_id: end.runId });
}

