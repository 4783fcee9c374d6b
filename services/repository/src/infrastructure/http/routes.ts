import type { Route } from '@trellis/platform/http/route';

export const BASE_PATH = '/repository';

/** Business routes (sources, scans, builds) arrive with their issues; authentication first (issue 3). */
export function makeRoutes(): Route[] {
  return [];
}
