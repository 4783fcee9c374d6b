import type { Clock } from '@trellis/kernel/ports';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import * as Values from '../domain/project-values.js';
import { projectNotKnown, type ProjectNotKnown } from './project-value-rejections.js';
import type { UnitOfWork } from './ports.js';

/** Creates or replaces a project variable; ProjectVariableSet commits with it. */
export async function setVariable(
  deps: { uow: UnitOfWork; clock: Clock },
  input: { projectId: string; name: string; value: Values.JsonValue; updatedBy: string; traceId: string },
): Promise<Result<{ variable: Values.Variable; created: boolean }, Values.VariableRejection | ProjectNotKnown>> {
  return deps.uow(async (tx) => {
    if ((await tx.projects.statusOf(input.projectId)) !== 'known') return rejected(projectNotKnown);
    const revision = await tx.revisions.next(input.projectId, input.name);
    const set = Values.setVariable({ ...input, revision, now: deps.clock() });
    if (!set.ok) return set;
    const created = (await tx.variables.find(input.projectId, input.name)) === undefined;
    await tx.variables.save(set.value.variable);
    await tx.outbox.append([set.value.event], input.traceId);
    return ok({ variable: set.value.variable, created });
  });
}
