import type { Clock } from '@trellis/kernel/ports';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import * as Source from '../domain/source.js';
import { sourceNotFound, type SourceNameTaken, type SourceNotFound } from './not-found.js';
import type { UnitOfWork, Vault } from './ports.js';

/** Renames a source, moves it, changes its branch or its credentials (see Source.change for the rules). */
export async function changeSource(
  deps: { uow: UnitOfWork; vault: Vault; clock: Clock; settings: Source.Settings },
  input: { projectId: string; sourceId: string; patch: Source.SourcePatch },
): Promise<Result<Source.Source, Source.SourceRejection | SourceNotFound | SourceNameTaken>> {
  return deps.uow(async (tx) => {
    const existing = await tx.sources.findForUpdate(input.projectId, input.sourceId);
    if (!existing) return rejected(sourceNotFound);
    const changed = Source.change(existing, input.patch, deps.clock(), deps.settings);
    if (!changed.ok) return changed;
    const { source, credentials } = changed.value;
    const sealed = credentials.kind === 'set' ? deps.vault.seal(credentials.password, source.id) : credentials.kind === 'clear' ? null : undefined;
    if (!(await tx.sources.update(source, sealed))) return rejected({ type: 'SourceNameTaken', name: source.name } as const);
    return ok(source);
  });
}
