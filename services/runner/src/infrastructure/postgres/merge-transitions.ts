import type { AttemptRow, StepRow, TransitionWrite } from '../../application/run-store.js';

/**
 * Two transitions of one run, `earlier` made first, as one: what writing them one after the
 * other in one transaction would leave. The statement upserts whole step rows and attempt rows,
 * so the later row of a step wins (an attempt keeps the logs an earlier row of it carried when
 * the later has none, as the upsert does); the later fence drops what the earlier writes itself
 * (a step it starts with that attempt is running once it is applied). Both have the same epoch:
 * one process owns the run; a different epoch is a bug.
 */
export function mergeTransitions(earlier: TransitionWrite, later: TransitionWrite): TransitionWrite {
  if (earlier.runId !== later.runId || earlier.epoch !== later.epoch) throw new Error('only transitions of one run and epoch merge');
  const startedByEarlier = new Set(earlier.steps.filter((row) => row.status === 'running').map((row) => `${row.step}#${row.attempt}`));
  const expect = [...earlier.expect, ...later.expect.filter((fence) => !startedByEarlier.has(`${fence.step}#${fence.attempt}`))];
  const steps = new Map<string, StepRow>();
  for (const row of [...earlier.steps, ...later.steps]) steps.set(row.step, row);
  const attempts = new Map<string, AttemptRow>();
  for (const row of [...earlier.attempts, ...later.attempts]) {
    const key = `${row.step}#${row.attempt}`;
    const before = attempts.get(key);
    attempts.set(key, before ? laterAttempt(before, row) : row);
  }
  const end = later.end ?? earlier.end;
  return { runId: later.runId, epoch: later.epoch, expect, steps: [...steps.values()], attempts: [...attempts.values()], ...(end ? { end } : {}) };
}

/** An attempt's row written twice: the later status, the first start, logs kept when the later has none. */
function laterAttempt(before: AttemptRow, after: AttemptRow): AttemptRow {
  const logs = after.logs && (after.logs.stdout !== '' || after.logs.stderr !== '') ? after.logs : (before.logs ?? after.logs);
  return { ...after, startedAt: before.startedAt, logs: logs ? { ...logs, truncated: (before.logs?.truncated ?? false) || (after.logs?.truncated ?? false) } : null };
}
