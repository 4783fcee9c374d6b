import { ok, rejected, type Result } from '@trellis/kernel/result';
import * as Build from '../domain/build.js';
import type { Clock, UnitOfWork } from './ports.js';

/**
 * A person cancels a build of their project: a queued one ends canceled at once; a running one
 * is marked and its holder, woken, kills its processes and ends it canceled.
 */
export async function cancelBuild(
  deps: { uow: UnitOfWork; clock: Clock },
  input: { projectId: string; buildId: string; by: string },
): Promise<Result<Build.Build, Build.BuildNotFound | Build.BuildFinished>> {
  return deps.uow(async (tx) => {
    const build = await tx.builds.lockInProject(input.projectId, input.buildId);
    if (!build) return rejected({ type: 'BuildNotFound', buildId: input.buildId } as const);
    const result = Build.requestCancel(build, input.by, deps.clock());
    if (!result.ok) return result;
    if (result.value.build !== build) await tx.builds.save(result.value.build);
    await tx.outbox.append(result.value.events);
    if (result.value.outcome === 'stopping') await tx.queue.wake();
    return ok(result.value.build);
  });
}
