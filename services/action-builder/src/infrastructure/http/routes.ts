import type { Route } from '@trellis/platform/http/route';

export const BASE_PATH = '/builder';

/** Business routes (builds, build logs) arrive with the builder's issue; authentication first (issue 3). */
export function makeRoutes(): Route[] {
  return [];
}
