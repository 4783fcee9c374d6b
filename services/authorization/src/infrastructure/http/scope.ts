import { HttpProblem } from '@trellis/platform/http/problem';
import type { RequestContext } from '@trellis/platform/http/route';
import { projectAccess } from '../../domain/actor.js';
import type { Role } from '../../domain/role.js';
import { actorOf } from './caller.js';
import type { RouteDeps } from './route-deps.js';

/**
 * For the read routes of a project (the changes check the same rule in their use case): a
 * credential for another project gets the same 404 as a project that does not exist.
 */
export async function assertProjectInScope(
  deps: RouteDeps,
  context: RequestContext,
  projectId: string,
  needed: Role,
  options: { adminMay: boolean },
): Promise<void> {
  const notFound = new HttpProblem(404, 'project_not_found', 'Project not found');
  switch (projectAccess(actorOf(context), projectId, needed, options)) {
    case 'not_found':
      throw notFound;
    case 'forbidden':
      throw new HttpProblem(403, 'forbidden', 'Forbidden', `This requires the ${needed} role or above in the project.`);
    case 'allowed':
      if (!(await deps.queries.project(projectId))) throw notFound;
  }
}
