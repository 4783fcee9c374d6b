import type { Selectable, Transaction } from 'kysely';
import type { LibraryRepository } from '../../application/ports.js';
import type { IoSpec, LibraryAction } from '../../domain/library-action.js';
import type { Database, LibraryActionsTable } from './schema.js';

export function toRow(action: LibraryAction) {
  return {
    project_id: action.projectId, action_id: action.actionId, version: action.version, kind: action.kind, name: action.name,
    description: action.description, runtime: action.runtime, format: action.format, categories: [...action.categories],
    inputs: JSON.stringify(action.inputs), outputs: JSON.stringify(action.outputs), resources: JSON.stringify(action.resources),
    digest: action.digest, artifact_object: action.artifactObject, artifact_size: action.artifactSize, images: JSON.stringify(action.images),
    logo: action.logo ? Buffer.from(action.logo.bytes) : null, logo_media_type: action.logo?.mediaType ?? null,
    source_id: action.origin.sourceId, commit: action.origin.commit, folder: action.origin.folder, build_id: action.origin.buildId,
    built_at: action.builtAt,
  };
}

export function fromRow(row: Selectable<LibraryActionsTable>): LibraryAction {
  return {
    projectId: row.project_id, actionId: row.action_id, version: row.version, kind: row.kind as LibraryAction['kind'], name: row.name,
    description: row.description, runtime: row.runtime, format: row.format, categories: row.categories,
    inputs: row.inputs as IoSpec[], outputs: row.outputs as IoSpec[], resources: row.resources as LibraryAction['resources'],
    digest: row.digest, artifactObject: row.artifact_object, artifactSize: Number(row.artifact_size),
    images: row.images as LibraryAction['images'],
    logo: row.logo && row.logo_media_type ? { bytes: new Uint8Array(row.logo), mediaType: row.logo_media_type } : null,
    origin: { sourceId: row.source_id, commit: row.commit, folder: row.folder, buildId: row.build_id },
    builtAt: row.built_at,
  };
}

export function makeLibraryRepository(trx: Transaction<Database>): LibraryRepository {
  const version = (projectId: string, actionId: string, v: string) =>
    trx.selectFrom('library_actions').where('project_id', '=', projectId).where('action_id', '=', actionId).where('version', '=', v);
  return {
    findForUpdate: async (projectId, actionId, v) => {
      const row = await version(projectId, actionId, v).selectAll().forUpdate().executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },
    save: async (action) => {
      const row = toRow(action);
      await trx.insertInto('library_actions').values(row)
        .onConflict((c) => c.columns(['project_id', 'action_id', 'version']).doUpdateSet(row)).execute();
    },
    delete: async (projectId, actionId, v) => {
      const deleted = await trx.deleteFrom('library_actions').where('project_id', '=', projectId).where('action_id', '=', actionId)
        .where('version', '=', v).returning('version').executeTakeFirst();
      return deleted !== undefined;
    },
    versionsOf: async (projectId, actionIds) => actionIds.length === 0 ? [] :
      (await trx.selectFrom('library_actions').selectAll().where('project_id', '=', projectId).where('action_id', 'in', [...actionIds])
        .orderBy('action_id').orderBy('built_at', 'desc').execute()).map(fromRow),
    findForShare: async (projectId, versions) => {
      if (versions.length === 0) return [];
      const rows = await trx.selectFrom('library_actions').selectAll().where('project_id', '=', projectId)
        .where((eb) => eb.or(versions.map(({ actionId, version: v }) => eb.and([eb('action_id', '=', actionId), eb('version', '=', v)]))))
        .orderBy('action_id').orderBy('version').forShare().execute();
      return rows.map(fromRow);
    },
  };
}
