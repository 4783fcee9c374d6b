import type { Kysely } from 'kysely';
import type { Route } from '@trellis/platform/http/route';
import type { Database } from '../postgres/schema.js';

export const BASE_PATH = '/builder';

/** The routes of the action builder (builds and build logs) arrive with their issues; `/project` comes with tenancy. */
export function makeRoutes(_deps: { db: Kysely<Database> }): Route[] {
  return [];
}
