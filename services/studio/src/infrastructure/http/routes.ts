import type { Route } from '@trellis/platform/http/route';
import { makeFileRoutes, type FileRouteDeps } from './file-routes.js';
import { makeLibraryRoutes, type LibraryRouteDeps } from './library-routes.js';
import { makeProjectValueRoutes, type ProjectValueRouteDeps } from './project-value-routes.js';
import { makeWorkflowRoutes, type WorkflowRouteDeps } from './workflow-routes.js';

export const BASE_PATH = '/studio';

type Without<T> = Omit<T, 'basePath'>;

/** Studio's routes (`/project` comes with tenancy): the library, the project's variables and secrets, workflows, uploaded files. */
export function makeRoutes(deps: Without<LibraryRouteDeps> & { projectValues: Without<ProjectValueRouteDeps>; workflows: Without<WorkflowRouteDeps>; files: Without<FileRouteDeps> }): Route[] {
  return [...makeLibraryRoutes({ ...deps, basePath: BASE_PATH }), ...makeProjectValueRoutes({ ...deps.projectValues, basePath: BASE_PATH }),
    ...makeWorkflowRoutes({ ...deps.workflows, basePath: BASE_PATH }), ...makeFileRoutes({ ...deps.files, basePath: BASE_PATH })];
}
