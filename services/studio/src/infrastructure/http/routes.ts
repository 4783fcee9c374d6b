import type { Route } from '@trellis/platform/http/route';
import { makeLibraryRoutes, type LibraryRouteDeps } from './library-routes.js';

export const BASE_PATH = '/studio';

/** Studio's routes (`/project` comes with tenancy): the library; workflows and variables arrive with their issue. */
export function makeRoutes(deps: Omit<LibraryRouteDeps, 'basePath'>): Route[] {
  return [...makeLibraryRoutes({ ...deps, basePath: BASE_PATH })];
}
