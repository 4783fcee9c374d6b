import type { Kysely } from 'kysely';
import { secretAad, type Opener } from '@trellis/platform/crypto/sealed-box';
import type { ProjectValues } from '../../application/ports.js';
import type { JsonValue } from '../../domain/project-value.js';
import type { Database } from './schema.js';

/**
 * The project values as runs read them: the variables as stored, a secret opened with the
 * runner's private key (the aad binds it to its project and name, so a sealed value copied onto
 * another row does not open). Never logs or keeps a secret in clear.
 */
export function makeProjectValues(db: Kysely<Database>, opener: Opener): ProjectValues {
  return {
    variables: async (projectId) => {
      const rows = await db.selectFrom('project_variables').select(['name', 'value']).where('project_id', '=', projectId).orderBy('name').execute();
      return Object.fromEntries(rows.map((row) => [row.name, row.value as JsonValue]));
    },
    secret: async (projectId, name) => {
      const row = await db.selectFrom('project_secrets').select(['sealed', 'key_id']).where('project_id', '=', projectId).where('name', '=', name).executeTakeFirst();
      if (!row) return undefined;
      if (row.key_id !== opener.keyId) {
        throw new Error(
          `secret ${name} of project ${projectId} was sealed for the runner key ${row.key_id}, but this runner's key is ${opener.keyId}: ` +
          'studio seals to TRELLIS_RUNNER_PUBLIC_KEY, which must be the public key of the runner\'s TRELLIS_SEALING_KEY (set the secret again after changing keys)',
        );
      }
      try {
        return await opener.open(new Uint8Array(row.sealed), secretAad(projectId, name));
      } catch (error) {
        throw new Error(`secret ${name} of project ${projectId} does not open with the runner key ${opener.keyId}`, { cause: error });
      }
    },
  };
}
