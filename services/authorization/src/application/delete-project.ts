import * as ActorRules from '../domain/actor.js';
import * as Project from '../domain/project.js';
import { ok, rejected, type Result } from '../domain/result.js';
import type { ProjectNotFound } from '../domain/session.js';
import { auditEntry } from './audit-entry.js';
import type { Clock, RequestMeta, UnitOfWork } from './ports.js';

/**
 * Deletes a project with its memberships and API keys, and announces ProjectDeleted in the
 * same commit so every other service deletes its data too. Admins only (declared at the edge).
 */
export async function deleteProject(
  deps: { uow: UnitOfWork; clock: Clock },
  input: { actor: ActorRules.Actor; projectId: string; meta: RequestMeta },
): Promise<Result<void, ProjectNotFound>> {
  return deps.uow(input.meta, async (tx) => {
    const now = deps.clock();
    const project = await tx.projects.findById(input.projectId);
    if (!project) return rejected({ type: 'ProjectNotFound', projectId: input.projectId });
    const { events } = Project.remove(project, { deletedBy: ActorRules.idOf(input.actor), now });
    await tx.projects.delete(project.id);
    await tx.outbox.append(events);
    await tx.audit.record(auditEntry(input.meta, input.actor, now, {
      type: 'project_deleted', projectId: project.id, targetType: 'project', targetId: project.id, details: { name: project.name },
    }));
    return ok(undefined);
  });
}
