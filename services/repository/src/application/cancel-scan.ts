import type { Clock } from '@trellis/kernel/ports';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import * as Scan from '../domain/scan.js';
import type { ScanNotFound } from './not-found.js';
import type { UnitOfWork } from './ports.js';

/** Cancels a queued or running scan; the worker running it notices, stops its clone and writes nothing. */
export async function cancelScan(
  deps: { uow: UnitOfWork; clock: Clock },
  input: { projectId: string; sourceId: string; scanId: string },
): Promise<Result<Scan.Scan, ScanNotFound | Scan.ScanNotCancelable>> {
  return deps.uow(async (tx) => {
    const scan = await tx.scans.findForUpdate(input.projectId, input.scanId);
    if (!scan || scan.sourceId !== input.sourceId) return rejected({ type: 'ScanNotFound' } as const);
    const canceled = Scan.cancel(scan, deps.clock());
    if (!canceled.ok) return canceled;
    if (canceled.value !== scan) await tx.scans.update(canceled.value);
    return ok(canceled.value);
  });
}
