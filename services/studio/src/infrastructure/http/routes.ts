import type { Route } from '@trellis/platform/http/route';

export const BASE_PATH = '/studio';

/** Business routes (library, workflows, variables) arrive with their issues; authentication first (issue 3). */
export function makeRoutes(): Route[] {
  return [];
}
