import type { Clock } from '@trellis/kernel/ports';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import * as Values from '../domain/project-values.js';
import * as Workflow from '../domain/workflow/workflow.js';
import type { SecretNotFound } from './project-value-rejections.js';
import type { UnitOfWork } from './ports.js';
import type { SecretInUse } from './workflow-rejections.js';

/** Deletes a project secret (its sealed value with it); ProjectSecretDeleted commits with it. */
export async function deleteSecret(
  deps: { uow: UnitOfWork; clock: Clock },
  input: { projectId: string; name: string; traceId: string },
): Promise<Result<void, Values.InvalidName | SecretNotFound | SecretInUse>> {
  return deps.uow(async (tx) => {
    const badName = Values.checkName(input.name);
    if (badName) return rejected(badName);
    const revision = await tx.revisions.next(input.projectId, input.name);
    // A version the runner serves (or is asked to) reads it at run time: refused while one uses it.
    const users = Workflow.liveUsers(await tx.workflowVersions.usersOf(input.projectId, { kind: 'secret', name: input.name }));
    if (users.length > 0) return rejected({ type: 'SecretInUse', name: input.name, workflows: users } as const);
    if (!(await tx.secrets.delete(input.projectId, input.name))) return rejected({ type: 'SecretNotFound', name: input.name } as const);
    await tx.outbox.append([Values.secretDeleted(input.projectId, input.name, revision, deps.clock())], input.traceId);
    return ok(undefined);
  });
}
