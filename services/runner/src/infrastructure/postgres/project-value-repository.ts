import { sql, type Transaction } from 'kysely';
import type { ProjectValueRepository } from '../../application/ports.js';
import type { Held, SecretSet, ValueKind, VariableSet } from '../../domain/project-value.js';
import type { Database } from './schema.js';

/** The revision as text: exact at any size (the platform reads int8 as a JS number). */
const exactRevision = sql<string>`revision::text`.as('revision');

export function variableToRow(change: VariableSet) {
  return { project_id: change.projectId, name: change.name, value: JSON.stringify(change.value), revision: String(change.revision), updated_at: change.changedAt };
}

export function secretToRow(change: SecretSet) {
  return { project_id: change.projectId, name: change.name, sealed: Buffer.from(change.sealed), key_id: change.keyId, revision: String(change.revision), updated_at: change.changedAt };
}

/** The runner's copy of the project values, written by the changes studio announces (one row per name: a value or a tombstone). */
export function makeProjectValueRepository(trx: Transaction<Database>): ProjectValueRepository {
  const valueRevision = async (projectId: string, kind: ValueKind, name: string) => {
    const table = kind === 'variable' ? 'project_variables' : 'project_secrets';
    return trx.selectFrom(table).select(exactRevision).where('project_id', '=', projectId).where('name', '=', name).executeTakeFirst();
  };
  const dropTombstone = (projectId: string, kind: ValueKind, name: string) =>
    trx.deleteFrom('project_value_tombstones').where('project_id', '=', projectId).where('kind', '=', kind).where('name', '=', name).execute();
  return {
    held: async (projectId, kind, name): Promise<Held | undefined> => {
      const value = await valueRevision(projectId, kind, name);
      if (value) return { revision: BigInt(value.revision), deleted: false };
      const tombstone = await trx.selectFrom('project_value_tombstones').select(exactRevision)
        .where('project_id', '=', projectId).where('kind', '=', kind).where('name', '=', name).executeTakeFirst();
      return tombstone ? { revision: BigInt(tombstone.revision), deleted: true } : undefined;
    },
    apply: async (change) => {
      if (change.type === 'delete') {
        const table = change.kind === 'variable' ? 'project_variables' : 'project_secrets';
        await trx.deleteFrom(table).where('project_id', '=', change.projectId).where('name', '=', change.name).execute();
        const tombstone = { project_id: change.projectId, kind: change.kind, name: change.name, revision: String(change.revision), deleted_at: change.changedAt };
        await trx.insertInto('project_value_tombstones').values(tombstone)
          .onConflict((c) => c.columns(['project_id', 'kind', 'name']).doUpdateSet({ revision: tombstone.revision, deleted_at: tombstone.deleted_at })).execute();
        return;
      }
      await dropTombstone(change.projectId, change.kind, change.name);
      if (change.kind === 'variable') {
        const row = variableToRow(change);
        await trx.insertInto('project_variables').values(row).onConflict((c) => c.columns(['project_id', 'name']).doUpdateSet(row)).execute();
      } else {
        const row = secretToRow(change);
        await trx.insertInto('project_secrets').values(row).onConflict((c) => c.columns(['project_id', 'name']).doUpdateSet(row)).execute();
      }
    },
  };
}
