import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type ProjectRow = { id: string; name: string; created_at: Date };

/** The project as studio knows it; undefined until its announcement has arrived, or after its deletion. */
export async function findProject(db: Kysely<Database>, projectId: string): Promise<ProjectRow | undefined> {
  if (!uuid.test(projectId)) return undefined; // not an id authorization hands out: no project, rather than a database error
  return db.selectFrom('projects').select(['id', 'name', 'created_at']).where('id', '=', projectId).executeTakeFirst();
}
