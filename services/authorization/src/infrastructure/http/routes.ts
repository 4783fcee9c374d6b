import type { Route } from '@trellis/platform/http/route';
import { apiKeyRoutes } from './api-key-routes.js';
import { auditRoutes } from './audit-routes.js';
import { meRoutes } from './me-routes.js';
import { memberRoutes } from './member-routes.js';
import { projectRoutes } from './project-routes.js';
import type { RouteDeps } from './route-deps.js';
import { tokenRoutes } from './token-routes.js';
import { userRoutes } from './user-routes.js';

export const BASE_PATH = '/authorization';

/** Every business route of the service; the platform adds health, readiness, metrics and OpenAPI. */
export function makeRoutes(deps: RouteDeps): Route[] {
  return [
    ...tokenRoutes(deps, BASE_PATH),
    ...meRoutes(deps, BASE_PATH),
    ...userRoutes(deps, BASE_PATH),
    ...projectRoutes(deps, BASE_PATH),
    ...memberRoutes(deps, BASE_PATH),
    ...apiKeyRoutes(deps, BASE_PATH),
    ...auditRoutes(deps),
  ];
}
