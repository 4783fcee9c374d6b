import type { MessageHandler } from '@trellis/platform/amqp/consumer';
import { recordBuiltAction } from '../../application/record-built-action.js';
import type { LibraryAction } from '../../domain/library-action.js';
import { unitOfWorkIn } from '../postgres/unit-of-work.js';
import type { Database } from '../postgres/schema.js';
import { decodeActionBuilt } from './codecs.js';
import { ACTION_BUILT } from './topology.js';

/** Studio's own handlers (tenancy's come with startTenantService); each runs in the inbox transaction. */
export function makeHandlers(): Record<string, MessageHandler<Database, LibraryAction>> {
  return {
    [ACTION_BUILT]: {
      decode: decodeActionBuilt,
      handle: async (built, { trx, logger }) => {
        const result = await recordBuiltAction({ uow: unitOfWorkIn(trx) }, built);
        logger.info('built action recorded', {
          project_id: built.projectId, action_id: built.actionId, version: built.version, digest: built.digest,
          ...(result.ok ? { arrival: result.value.arrival } : { ignored: result.error.type }),
        });
      },
    },
  };
}
