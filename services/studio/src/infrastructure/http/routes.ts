import type { Route } from '@trellis/platform/http/route';
import { makeLibraryRoutes, type LibraryRouteDeps } from './library-routes.js';
import { makeProjectValueRoutes, type ProjectValueRouteDeps } from './project-value-routes.js';
import { makeWorkflowRoutes, type WorkflowRouteDeps } from './workflow-routes.js';

export const BASE_PATH = '/studio';

/** Studio's routes (`/project` comes with tenancy): the library, the project's variables and secrets, workflows. */
export function makeRoutes(deps: Omit<LibraryRouteDeps, 'basePath'> & { projectValues: Omit<ProjectValueRouteDeps, 'basePath'>; workflows: Omit<WorkflowRouteDeps, 'basePath'> }): Route[] {
  return [...makeLibraryRoutes({ ...deps, basePath: BASE_PATH }), ...makeProjectValueRoutes({ ...deps.projectValues, basePath: BASE_PATH }),
    ...makeWorkflowRoutes({ ...deps.workflows, basePath: BASE_PATH })];
}
