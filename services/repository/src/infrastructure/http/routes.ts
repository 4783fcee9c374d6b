import type { Route } from '@trellis/platform/http/route';
import { buildRoutes } from './build-routes.js';
import type { RouteDeps } from './route-deps.js';
import { scanRoutes } from './scan-routes.js';
import { sourceRoutes } from './source-routes.js';

export const BASE_PATH = '/repository';

/** The repository's routes (`/project` comes with tenancy). */
export function makeRoutes(deps: RouteDeps): Route[] {
  return [...sourceRoutes(deps, BASE_PATH), ...scanRoutes(deps, BASE_PATH), ...buildRoutes(deps)];
}
