import { sql, type Selectable, type Transaction } from 'kysely';
import type { Revisions, SecretRepository, VariableRepository } from '../../application/ports.js';
import type { JsonValue, Secret, Variable } from '../../domain/project-values.js';
import type { Database, ProjectSecretsTable, ProjectVariablesTable } from './schema.js';

export function variableFromRow(row: Selectable<ProjectVariablesTable>): Variable {
  return { projectId: row.project_id, name: row.name, value: row.value as JsonValue, revision: Number(row.revision), updatedAt: row.updated_at, updatedBy: row.updated_by };
}

/** A secret's metadata: the sealed value is never read into a Secret. */
export function secretFromRow(row: Omit<Selectable<ProjectSecretsTable>, 'sealed'>): Secret {
  return { projectId: row.project_id, name: row.name, revision: Number(row.revision), updatedAt: row.updated_at, updatedBy: row.updated_by };
}

export const SECRET_COLUMNS = ['project_id', 'name', 'revision', 'updated_at', 'updated_by'] as const;

export function makeVariableRepository(trx: Transaction<Database>): VariableRepository {
  const named = (projectId: string, name: string) => trx.selectFrom('project_variables').where('project_id', '=', projectId).where('name', '=', name);
  return {
    find: async (projectId, name) => {
      const row = await named(projectId, name).selectAll().executeTakeFirst();
      return row && variableFromRow(row);
    },
    save: async (variable) => {
      const row = {
        project_id: variable.projectId, name: variable.name, value: JSON.stringify(variable.value), revision: variable.revision,
        updated_at: variable.updatedAt, updated_by: variable.updatedBy,
      };
      await trx.insertInto('project_variables').values(row).onConflict((c) => c.columns(['project_id', 'name']).doUpdateSet(row)).execute();
    },
    delete: async (projectId, name) => {
      const deleted = await trx.deleteFrom('project_variables').where('project_id', '=', projectId).where('name', '=', name).returning('name').executeTakeFirst();
      return deleted !== undefined;
    },
    all: async (projectId) => {
      const rows = await trx.selectFrom('project_variables').select(['name', 'value']).where('project_id', '=', projectId).orderBy('name').execute();
      return rows.map((row) => ({ name: row.name, value: row.value as JsonValue }));
    },
  };
}

export function makeSecretRepository(trx: Transaction<Database>): SecretRepository {
  return {
    find: async (projectId, name) => {
      const row = await trx.selectFrom('project_secrets').select(SECRET_COLUMNS).where('project_id', '=', projectId).where('name', '=', name).executeTakeFirst();
      return row && secretFromRow(row);
    },
    save: async (secret, sealed) => {
      const row = { project_id: secret.projectId, name: secret.name, sealed, revision: secret.revision, updated_at: secret.updatedAt, updated_by: secret.updatedBy };
      await trx.insertInto('project_secrets').values(row).onConflict((c) => c.columns(['project_id', 'name']).doUpdateSet(row)).execute();
    },
    delete: async (projectId, name) => {
      const deleted = await trx.deleteFrom('project_secrets').where('project_id', '=', projectId).where('name', '=', name).returning('name').executeTakeFirst();
      return deleted !== undefined;
    },
    names: async (projectId) =>
      (await trx.selectFrom('project_secrets').select('name').where('project_id', '=', projectId).orderBy('name').execute()).map((row) => row.name),
  };
}

/**
 * One sequence for every change of every value. The transaction first takes an advisory lock
 * on the project and name (held until it ends), so two changes of one name cannot take their
 * revisions in one order and commit in the other.
 */
export function makeRevisions(trx: Transaction<Database>): Revisions {
  const lock = async (projectId: string, name: string) => {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`project_values/${projectId}/${name}`}, 0))`.execute(trx);
  };
  return {
    lock,
    next: async (projectId, name) => {
      await lock(projectId, name);
      const { rows } = await sql<{ revision: string }>`select nextval('project_value_revisions') as revision`.execute(trx);
      const revision = rows[0]?.revision;
      if (revision === undefined) throw new Error('the revision sequence answered nothing');
      return Number(revision);
    },
  };
}
