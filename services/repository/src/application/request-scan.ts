import type { Clock, Ids } from '@trellis/kernel/ports';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import * as Scan from '../domain/scan.js';
import { sourceNotFound, type SourceNotFound } from './not-found.js';
import type { UnitOfWork } from './ports.js';

/**
 * Queues a scan of the source (a worker picks it up at once: the insert wakes them at commit).
 * While a scan of the source still waits, that one is answered instead of a second.
 */
export async function requestScan(
  deps: { uow: UnitOfWork; clock: Clock; ids: Ids },
  input: { projectId: string; sourceId: string; requestedBy: string },
): Promise<Result<{ scan: Scan.Scan; queued: boolean }, SourceNotFound>> {
  return deps.uow(async (tx) => {
    // The source's lock serialises requests, so two of them never queue two scans.
    const source = await tx.sources.findForUpdate(input.projectId, input.sourceId);
    if (!source) return rejected(sourceNotFound);
    const requested = Scan.request({ ...input, id: deps.ids(), now: deps.clock() }, await tx.scans.findQueued(source.id));
    if (requested.queued) await tx.scans.insert(requested.scan);
    return ok(requested);
  });
}
