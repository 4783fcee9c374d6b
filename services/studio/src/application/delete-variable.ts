import type { Clock } from '@trellis/kernel/ports';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import * as Values from '../domain/project-values.js';
import * as Workflow from '../domain/workflow/workflow.js';
import type { VariableNotFound } from './project-value-rejections.js';
import type { UnitOfWork } from './ports.js';
import type { VariableInUse } from './workflow-rejections.js';

/** Deletes a project variable; ProjectVariableDeleted commits with it, at a revision above the last set. */
export async function deleteVariable(
  deps: { uow: UnitOfWork; clock: Clock },
  input: { projectId: string; name: string; traceId: string },
): Promise<Result<void, Values.InvalidName | VariableNotFound | VariableInUse>> {
  return deps.uow(async (tx) => {
    const badName = Values.checkName(input.name);
    if (badName) return rejected(badName);
    const revision = await tx.revisions.next(input.projectId, input.name);
    // A version the runner serves (or is asked to) reads it at run time: refused while one uses it.
    const users = Workflow.liveUsers(await tx.workflowVersions.usersOf(input.projectId, { kind: 'variable', name: input.name }));
    if (users.length > 0) return rejected({ type: 'VariableInUse', name: input.name, workflows: users } as const);
    if (!(await tx.variables.delete(input.projectId, input.name))) return rejected({ type: 'VariableNotFound', name: input.name } as const);
    await tx.outbox.append([Values.variableDeleted(input.projectId, input.name, revision, deps.clock())], input.traceId);
    return ok(undefined);
  });
}
