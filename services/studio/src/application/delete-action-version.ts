import { ok, rejected, type Result } from '@trellis/kernel/result';
import * as Workflow from '../domain/workflow/workflow.js';
import type { UnitOfWork } from './ports.js';
import type { ActionVersionInUse } from './workflow-rejections.js';

export type ActionVersionNotFound = { readonly type: 'ActionVersionNotFound'; readonly actionId: string; readonly version: string };

/**
 * Removes a version from the project's library; refused, naming the workflows, while a version
 * the runner serves (or is asked to serve) uses it. The row is locked before the check, so a
 * deploy pinning it at the same time either commits first (and is seen) or waits.
 */
export async function deleteActionVersion(
  deps: { uow: UnitOfWork },
  input: { projectId: string; actionId: string; version: string },
): Promise<Result<void, ActionVersionNotFound | ActionVersionInUse>> {
  return deps.uow(async (tx) => {
    const notFound = { type: 'ActionVersionNotFound', actionId: input.actionId, version: input.version } as const;
    if (!(await tx.library.findForUpdate(input.projectId, input.actionId, input.version))) return rejected(notFound);
    const users = Workflow.liveUsers(await tx.workflowVersions.usersOf(input.projectId, { kind: 'action', name: `${input.actionId}@${input.version}` }));
    if (users.length > 0) return rejected({ type: 'ActionVersionInUse', actionId: input.actionId, version: input.version, workflows: users } as const);
    const deleted = await tx.library.delete(input.projectId, input.actionId, input.version);
    return deleted ? ok(undefined) : rejected(notFound);
  });
}
