import type { Actor } from '../domain/actor.js';
import * as Project from '../domain/project.js';
import { ok, rejected, type Result } from '../domain/result.js';
import type { ProjectNotFound } from '../domain/session.js';
import { auditEntry } from './audit-entry.js';
import type { Clock, RequestMeta, UnitOfWork } from './ports.js';

/** Renames a project (its title; the slug never changes). Admins only (declared at the edge). */
export async function updateProject(
  deps: { uow: UnitOfWork; clock: Clock },
  input: { actor: Actor; projectId: string; title: string | null; meta: RequestMeta },
): Promise<Result<Project.Project, Project.ProjectRejection | ProjectNotFound>> {
  return deps.uow(input.meta, async (tx) => {
    const project = await tx.projects.findById(input.projectId);
    if (!project) return rejected({ type: 'ProjectNotFound', projectId: input.projectId });
    const renamed = Project.retitle(project, input.title);
    if (!renamed.ok) return renamed;
    await tx.projects.update(renamed.value);
    await tx.audit.record(auditEntry(input.meta, input.actor, deps.clock(), {
      type: 'project_updated', projectId: project.id, targetType: 'project', targetId: project.id, details: { fields: ['title'] },
    }));
    return ok(renamed.value);
  });
}
