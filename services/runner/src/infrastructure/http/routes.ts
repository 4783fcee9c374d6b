import type { Route } from '@trellis/platform/http/route';

export const BASE_PATH = '/runner';

/** Business routes (runs, logs, results; the `/user-api` triggers) arrive with their issues; authentication first (issue 3). */
export function makeRoutes(): Route[] {
  return [];
}
