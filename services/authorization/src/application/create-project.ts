import * as ActorRules from '../domain/actor.js';
import * as Project from '../domain/project.js';
import { ok, rejected, type Result } from '../domain/result.js';
import { auditEntry } from './audit-entry.js';
import type { Clock, Ids, RequestMeta, UnitOfWork } from './ports.js';

export type CreateProjectInput = { actor: ActorRules.Actor; name: string; title?: string | null | undefined; meta: RequestMeta };

/**
 * Creates a project with its creator as owner, and announces it (ProjectCreated) in the same
 * commit. Only instance admins reach it (declared at the edge).
 */
export async function createProject(
  deps: { uow: UnitOfWork; clock: Clock; ids: Ids },
  input: CreateProjectInput,
): Promise<Result<Project.Project, Project.ProjectRejection>> {
  const createdBy = ActorRules.idOf(input.actor);
  const now = deps.clock();
  const created = Project.create({ id: deps.ids(), name: input.name, title: input.title, createdBy, now });
  if (!created.ok) return created;
  const { project, events } = created.value;
  return deps.uow(input.meta, async (tx) => {
    if (!(await tx.projects.insertIfNameFree(project))) return rejected({ type: 'ProjectNameTaken', name: project.name });
    if (input.actor.userId) await tx.memberships.upsert({ projectId: project.id, userId: input.actor.userId, role: 'owner', createdAt: now });
    await tx.outbox.append(events);
    await tx.audit.record(auditEntry(input.meta, input.actor, now, { type: 'project_created', projectId: project.id, targetType: 'project', targetId: project.id }));
    return ok(project);
  });
}
