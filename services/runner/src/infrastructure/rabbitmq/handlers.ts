import type { MessageHandler } from '@trellis/platform/amqp/consumer';
import { applyProjectValueChange } from '../../application/apply-project-value-change.js';
import type { Change } from '../../domain/project-value.js';
import type { Database } from '../postgres/schema.js';
import { unitOfWorkIn } from '../postgres/unit-of-work.js';
import { decodeSecretDeleted, decodeSecretSet, decodeVariableDeleted, decodeVariableSet } from './codecs.js';
import { PROJECT_SECRET_DELETED, PROJECT_SECRET_SET, PROJECT_VARIABLE_DELETED, PROJECT_VARIABLE_SET } from './topology.js';

function projectValueHandler(decode: (content: Uint8Array) => Change): MessageHandler<Database, Change> {
  return {
    decode,
    handle: async (change, { trx, logger }) => {
      const result = await applyProjectValueChange({ uow: unitOfWorkIn(trx) }, change);
      // Names and revisions only: a value or sealed bytes never reach a log line.
      logger.info('project value change handled', {
        project_id: change.projectId, kind: change.kind, change: change.type, name: change.name, revision: String(change.revision),
        ...(change.kind === 'secret' && change.type === 'set' ? { key_id: change.keyId } : {}),
        ...(result.ok ? { arrival: result.value.arrival } : { ignored: result.error.type }),
      });
    },
  };
}

/** The runner's own handlers (tenancy's come with startTenantService); each runs in the inbox transaction. */
export function makeHandlers(): Record<string, MessageHandler<Database, Change>> {
  return {
    [PROJECT_VARIABLE_SET]: projectValueHandler(decodeVariableSet),
    [PROJECT_VARIABLE_DELETED]: projectValueHandler(decodeVariableDeleted),
    [PROJECT_SECRET_SET]: projectValueHandler(decodeSecretSet),
    [PROJECT_SECRET_DELETED]: projectValueHandler(decodeSecretDeleted),
  };
}
