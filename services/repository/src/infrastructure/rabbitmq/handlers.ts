import type { MessageHandler } from '@trellis/platform/amqp/consumer';
import { recordBuildProgress, type BuildReport } from '../../application/record-build-progress.js';
import { unitOfWorkIn } from '../postgres/unit-of-work.js';
import type { Database } from '../postgres/schema.js';
import { decodeBuildFailed, decodeBuildStarted, decodeBuilt } from './codecs.js';
import { BUILDER_EVENTS } from './topology.js';

/** The repository's own handlers (tenancy's come with startTenantService): the builder's reports, each in the inbox transaction. */
export function makeHandlers(): Record<string, MessageHandler<Database, BuildReport>> {
  const follow = (decode: (bytes: Uint8Array) => BuildReport): MessageHandler<Database, BuildReport> => ({
    decode,
    handle: async (report, { trx, logger }) => {
      const result = await recordBuildProgress({ uow: unitOfWorkIn(trx) }, report);
      logger.info('build report recorded', {
        project_id: report.projectId, build_id: report.buildId, report: report.progress.type,
        ...(result.ok ? { status: result.value.build.status, changed: result.value.changed } : { ignored: result.error.type }),
      });
    },
  });
  return {
    [BUILDER_EVENTS.started]: follow(decodeBuildStarted),
    [BUILDER_EVENTS.built]: follow(decodeBuilt),
    [BUILDER_EVENTS.failed]: follow(decodeBuildFailed),
  };
}
