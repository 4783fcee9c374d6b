import { fail, ok, type Check } from './check.js';
import { countText, durationText } from './units.js';

/**
 * An unfinished run whose owner lost its lease (docs/runner.md, takeover): no process holds it,
 * its process stopped, or its heartbeat is older than the lease. A live runner takes such a run
 * over within seconds; one still there after `RUN_TAKEOVER_GRACE_MS` is stuck.
 */
export type OrphanRun = {
  readonly id: string;
  readonly status: 'queued' | 'running';
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  /** When its lease ended: the owner's heartbeat plus the lease, its stop, or (no owner) its creation. */
  readonly leaseEndedAt: Date;
};

/** A runner claims orphans every 2 s; a minute leaves room for a restart. */
export const RUN_TAKEOVER_GRACE_MS = 60_000;
const LISTED = 5;

export function judgeRuns(orphans: readonly OrphanRun[], now: Date): Check {
  const stuck = orphans.filter((run) => now.getTime() - run.leaseEndedAt.getTime() >= RUN_TAKEOVER_GRACE_MS);
  if (stuck.length === 0) return ok('runs', 'runner', 'no run stuck (every unfinished run has a live owner)');
  const oldest = stuck.reduce((a, b) => (a.leaseEndedAt <= b.leaseEndedAt ? a : b));
  const listed = stuck.slice(0, LISTED).map((run) => `${run.id} (${run.status}${run.startedAt ? ` since ${durationText(now.getTime() - run.startedAt.getTime())}` : ''})`);
  const more = stuck.length > LISTED ? ` and ${stuck.length - LISTED} more` : '';
  return fail(
    'runs',
    'runner',
    `${countText(stuck.length, 'run')} stuck with an expired lease: ${listed.join(', ')}${more}; the oldest lease ended ${durationText(now.getTime() - oldest.leaseEndedAt.getTime())} ago`,
    'a running runner takes them over within seconds: is the runner running? `trellis-adm status`, `trellis-adm logs runner`',
  );
}
