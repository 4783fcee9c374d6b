import type { Clock, Ids } from '@trellis/kernel/ports';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import * as Build from '../domain/build.js';
import { sourceNotFound, type SourceNotFound } from './not-found.js';
import type { UnitOfWork } from './ports.js';

/**
 * Asks the action builder to build every action of the source's last done scan, or those named:
 * a build row and an ActionBuildRequested each, committed together (the outbox relays them).
 */
export async function requestBuilds(
  deps: { uow: UnitOfWork; clock: Clock; ids: Ids },
  input: { projectId: string; sourceId: string; actionIds?: readonly string[] | undefined; requestedBy: string; traceId: string },
): Promise<Result<{ scanId: string; builds: Build.Build[] }, SourceNotFound | Build.BuildRequestRejection>> {
  return deps.uow(async (tx) => {
    const source = await tx.sources.find(input.projectId, input.sourceId);
    if (!source) return rejected(sourceNotFound);
    const scanned = await tx.scans.lastDone(source.id);
    const requested = Build.request({
      projectId: source.projectId, sourceId: source.id, sourceName: source.name, scanned, actionIds: input.actionIds,
      requestedBy: input.requestedBy, now: deps.clock(), ids: deps.ids,
    });
    if (!requested.ok) return requested;
    await tx.builds.insert(requested.value.builds);
    await tx.outbox.append(requested.value.events, input.traceId);
    return ok({ scanId: scanned?.scanId ?? '', builds: requested.value.builds });
  });
}
