import * as Project from '../domain/project.js';
import { ok, rejected, type Result } from '../domain/result.js';
import type { Clock, Ids, UnitOfWork } from './ports.js';

export type CreateProjectInput = { name: string; createdBy: string; traceId: string };

/** Creates a project with its creator as owner, and announces it (ProjectCreated) in the same commit. */
export async function createProject(
  deps: { uow: UnitOfWork; clock: Clock; ids: Ids },
  input: CreateProjectInput,
): Promise<Result<Project.Project, Project.ProjectRejection>> {
  const created = Project.create({ id: deps.ids(), name: input.name, createdBy: input.createdBy, now: deps.clock() });
  if (!created.ok) return created;
  const { project, events } = created.value;
  return deps.uow({ traceId: input.traceId }, async (tx) => {
    if (!(await tx.projects.insertIfNameFree(project))) return rejected({ type: 'ProjectNameTaken', name: project.name });
    await tx.memberships.upsert({ projectId: project.id, userId: project.createdBy, role: 'owner', createdAt: project.createdAt });
    await tx.outbox.append(events);
    return ok(project);
  });
}
