import type { Kysely } from 'kysely';
import type { Route } from '@trellis/platform/http/route';
import type { Database } from '../postgres/schema.js';

export const BASE_PATH = '/runner';

/** The routes of the runner (runs, logs, results and the /user-api triggers) arrive with their issues; `/project` comes with tenancy. */
export function makeRoutes(_deps: { db: Kysely<Database> }): Route[] {
  return [];
}
