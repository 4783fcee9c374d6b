import { sql, type Transaction } from 'kysely';
import type { Database } from './schema.js';

/**
 * Serialises the handling of one project's events until the transaction ends. The consumer
 * handles several messages at once: without this, an ApiKeyIssued checked against the
 * tombstones while a ProjectDeleted of the same project commits could record a key that
 * outlives its project.
 */
export async function lockProject(trx: Transaction<Database>, projectId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`trellis.project:${projectId}`}, 0))`.execute(trx);
}
