import { ok, rejected, type Result } from '@trellis/kernel/result';
import * as Source from '../domain/source.js';
import { sourceNotFound, type SourceNotFound } from './not-found.js';
import type { SourceObjects, UnitOfWork } from './ports.js';

/**
 * Deletes a source: its tarballs first, then its rows (scans, builds) in one transaction, so a
 * store that fails leaves the source in place for another try. A managed source (the standard
 * library) is refused: it stays with Trellis. Builds already asked for go on
 * in the builder; their reports then find no build here and are ignored.
 */
export async function deleteSource(
  deps: { uow: UnitOfWork; objects: SourceObjects },
  input: { projectId: string; sourceId: string },
): Promise<Result<void, SourceNotFound | Source.ManagedSource>> {
  const found = await deps.uow((tx) => tx.sources.find(input.projectId, input.sourceId));
  if (!found) return rejected(sourceNotFound);
  const locked = Source.checkUserMayChange(found);
  if (locked) return rejected(locked);
  await deps.objects.deleteAll(input.projectId, input.sourceId);
  return deps.uow(async (tx) => {
    if (!(await tx.sources.findForUpdate(input.projectId, input.sourceId))) return rejected(sourceNotFound);
    await tx.sources.delete(input.projectId, input.sourceId);
    return ok(undefined);
  });
}
