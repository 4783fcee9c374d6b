import * as ActorRules from '../domain/actor.js';
import type { Project } from '../domain/project.js';
import { ok, rejected, type Result } from '../domain/result.js';
import type { Role } from '../domain/role.js';
import type { ProjectNotFound } from '../domain/session.js';
import type { Transaction } from './ports.js';

export type Forbidden = { readonly type: 'Forbidden'; readonly needed: Role };

/**
 * The project `actor` wants to act on, if they may: another project's id answers exactly as
 * a missing one does, so nothing about it leaks.
 */
export async function projectInScope(
  tx: Transaction,
  actor: ActorRules.Actor,
  projectId: string,
  needed: Role,
  options: { adminMay: boolean },
): Promise<Result<Project, ProjectNotFound | Forbidden>> {
  switch (ActorRules.projectAccess(actor, projectId, needed, options)) {
    case 'not_found':
      return rejected({ type: 'ProjectNotFound', projectId });
    case 'forbidden':
      return rejected({ type: 'Forbidden', needed });
    case 'allowed': {
      const project = await tx.projects.findById(projectId);
      return project ? ok(project) : rejected({ type: 'ProjectNotFound', projectId });
    }
  }
}
