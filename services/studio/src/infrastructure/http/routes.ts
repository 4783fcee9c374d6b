import type { Route } from '@trellis/platform/http/route';
import { makeLibraryRoutes, type LibraryRouteDeps } from './library-routes.js';
import { makeProjectValueRoutes, type ProjectValueRouteDeps } from './project-value-routes.js';

export const BASE_PATH = '/studio';

/** Studio's routes (`/project` comes with tenancy): the library, the project's variables and secrets; workflows arrive with their issue. */
export function makeRoutes(deps: Omit<LibraryRouteDeps, 'basePath'> & { projectValues: Omit<ProjectValueRouteDeps, 'basePath'> }): Route[] {
  return [...makeLibraryRoutes({ ...deps, basePath: BASE_PATH }), ...makeProjectValueRoutes({ ...deps.projectValues, basePath: BASE_PATH })];
}
