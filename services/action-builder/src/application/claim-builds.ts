import * as Build from '../domain/build.js';
import type { Clock, UnitOfWork } from './ports.js';

export type ClaimSettings = { readonly owner: string; readonly leaseMs: number; readonly maxAttempts: number };

/**
 * Takes up to `limit` builds for this process in one transaction: queued ones and those whose
 * holder stopped renewing its lease. Each begins its next attempt (ActionBuildStarted), or ends
 * at once (canceled while nobody held it, or too many attempts). Returns the builds to run.
 */
export async function claimBuilds(deps: { uow: UnitOfWork; clock: Clock }, input: ClaimSettings & { limit: number }): Promise<Build.Build[]> {
  if (input.limit <= 0) return [];
  return deps.uow(async (tx) => {
    const now = deps.clock();
    const claimed = await tx.builds.claim({ owner: input.owner, now, leaseMs: input.leaseMs, limit: input.limit });
    const toRun: Build.Build[] = [];
    for (const build of claimed) {
      const begun = Build.begin(build, { now, maxAttempts: input.maxAttempts, logObject: build.logObject });
      if (begun.run) toRun.push(begun.build);
      else await tx.builds.save(begun.build);
      await tx.outbox.append(begun.events);
    }
    return toRun;
  });
}
