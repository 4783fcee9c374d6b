import type { Clock, Ids } from '@trellis/kernel/ports';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import * as Source from '../domain/source.js';
import type { ProjectNotKnown, SourceNameTaken } from './not-found.js';
import type { UnitOfWork, Vault } from './ports.js';

export type CreateSourceInput = {
  projectId: string; name: string; url: string; branch?: string | null | undefined;
  username?: string | undefined; password?: string | undefined; createdBy: string;
};

/** Adds a git source to a project; its password (or token), if any, is sealed before it is stored. */
export async function createSource(
  deps: { uow: UnitOfWork; vault: Vault; clock: Clock; ids: Ids; settings: Source.Settings },
  input: CreateSourceInput,
): Promise<Result<Source.Source, Source.SourceRejection | ProjectNotKnown | SourceNameTaken>> {
  return deps.uow(async (tx) => {
    if (!(await tx.projects.isKnown(input.projectId))) return rejected({ type: 'ProjectNotKnown' } as const);
    const created = Source.create({ ...input, id: deps.ids(), now: deps.clock() }, deps.settings);
    if (!created.ok) return created;
    const { source, credentials } = created.value;
    const sealed = credentials.kind === 'set' ? deps.vault.seal(credentials.password, source.id) : null;
    if (!(await tx.sources.insertIfNameFree(source, sealed))) return rejected({ type: 'SourceNameTaken', name: source.name } as const);
    return ok(source);
  });
}
