import type { Route } from '@trellis/platform/http/route';

export const BASE_PATH = '/authorization';

/**
 * Business routes. Login, users, projects, members and keys arrive with authentication
 * (issue 3); until then the service serves only its operational routes.
 */
export function makeRoutes(): Route[] {
  return [];
}
