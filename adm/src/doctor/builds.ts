import { fail, ok, warn, type Check } from './check.js';
import { countText, durationText } from './units.js';

/** An unfinished build (the action builder's `builds` table, states queued and running). */
export type OpenBuild = {
  readonly id: string;
  readonly actionId: string;
  readonly version: string;
  readonly state: 'queued' | 'running';
  readonly requestedAt: Date;
  readonly startedAt: Date | null;
  readonly leaseExpiresAt: Date | null;
};

/** The builder's own settings (TRELLIS_BUILD_*), which say how long is too long. */
export type BuilderTimes = { readonly leaseMs: number; readonly pollMs: number; readonly timeoutMs: number };

/** Room for a builder to restart and notice. */
const GRACE_MS = 60_000;

/**
 * Stuck: a running build whose lease expired and that no builder took over (they look every
 * poll interval); one running longer than the build timeout (its builder kills it then); one
 * queued longer than the build timeout while no build started (nobody takes work). A queue that
 * moves but is long only warns.
 */
export function judgeBuilds(open: readonly OpenBuild[], lastStartedAt: Date | null, times: BuilderTimes, now: Date): Check {
  const age = (at: Date) => now.getTime() - at.getTime();
  const reasons: string[] = [];
  let backlog = 0;
  for (const build of open) {
    const name = `${build.id} (${build.actionId}@${build.version})`;
    if (build.state === 'running') {
      if (build.leaseExpiresAt && age(build.leaseExpiresAt) > times.pollMs + GRACE_MS) reasons.push(`${name} running, its builder's lease expired ${durationText(age(build.leaseExpiresAt))} ago`);
      else if (build.startedAt && age(build.startedAt) > times.timeoutMs + times.leaseMs + GRACE_MS) reasons.push(`${name} running for ${durationText(age(build.startedAt))}, beyond the build timeout (${durationText(times.timeoutMs)})`);
    } else if (age(build.requestedAt) > times.timeoutMs) {
      if (lastStartedAt === null || age(lastStartedAt) > times.timeoutMs) reasons.push(`${name} queued for ${durationText(age(build.requestedAt))} and no build started since`);
      else backlog += 1;
    }
  }
  const hint = 'is the action builder running? `trellis-adm status`, `trellis-adm logs action-builder`';
  if (reasons.length > 0) return fail('builds', 'action-builder', `${countText(reasons.length, 'build')} stuck: ${reasons.slice(0, 5).join('; ')}${reasons.length > 5 ? `; and ${reasons.length - 5} more` : ''}`, hint);
  if (backlog > 0) return warn('builds', 'action-builder', `${countText(backlog, 'build')} queued for longer than the build timeout (${durationText(times.timeoutMs)}), the builder is busy`, 'TRELLIS_BUILD_PARALLELISM runs more at once');
  const running = open.filter((b) => b.state === 'running').length;
  return ok('builds', 'action-builder', open.length === 0 ? 'no build waiting or running' : `${running} running, ${open.length - running} queued, none stuck`);
}
