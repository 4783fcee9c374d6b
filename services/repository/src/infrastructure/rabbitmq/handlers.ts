import { randomUUID } from 'node:crypto';
import type { MessageHandler } from '@trellis/platform/amqp/consumer';
import { PROJECT_CREATED } from '@trellis/platform/tenancy/consumer';
import type { ProjectAnnouncement } from '@trellis/platform/tenancy/model';
import { recordBuildProgress, type BuildReport } from '../../application/record-build-progress.js';
import { installStandardLibrary } from '../../application/standard-library.js';
import { unitOfWorkIn } from '../postgres/unit-of-work.js';
import type { Database } from '../postgres/schema.js';
import { decodeBuildFailed, decodeBuildStarted, decodeBuilt } from './codecs.js';
import { BUILDER_EVENTS } from './topology.js';

/** The standard library to install in each new project: its URL and the commit its repository held at start. */
export type LibraryToInstall = { readonly url: string; readonly head: () => string | undefined };

/**
 * The repository's own handlers (tenancy's come with startTenantService): the builder's reports,
 * each in the inbox transaction; with a standard library, tenancy's ProjectCreated handler
 * followed, in the same transaction, by the library's install (so a new project has it as soon
 * as the repository knows the project).
 */
export function makeHandlers(
  options: { projectCreated?: MessageHandler<Database, ProjectAnnouncement>; standardLibrary?: LibraryToInstall | undefined } = {},
): Record<string, MessageHandler<Database, BuildReport> | MessageHandler<Database, ProjectAnnouncement>> {
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
  const { projectCreated, standardLibrary } = options;
  return {
    [BUILDER_EVENTS.started]: follow(decodeBuildStarted),
    [BUILDER_EVENTS.built]: follow(decodeBuilt),
    [BUILDER_EVENTS.failed]: follow(decodeBuildFailed),
    ...(projectCreated && standardLibrary ? { [PROJECT_CREATED]: withStandardLibrary(projectCreated, standardLibrary) } : {}),
  };
}

function withStandardLibrary(tenancy: MessageHandler<Database, ProjectAnnouncement>, library: LibraryToInstall): MessageHandler<Database, ProjectAnnouncement> {
  return {
    decode: tenancy.decode,
    handle: async (announcement, context) => {
      await tenancy.handle(announcement, context);
      const { trx, logger, traceId } = context;
      const result = await installStandardLibrary(
        { uow: unitOfWorkIn(trx), clock: () => new Date(), ids: randomUUID },
        { projectId: announcement.projectId, url: library.url, head: library.head(), traceId },
      );
      // A project deleted before its announcement arrived is not known: nothing to install.
      if (result.ok) logger.info('standard library installed', { project_id: announcement.projectId, source_id: result.value.sourceId, source: result.value.source, scan_queued: result.value.scanQueued });
      else logger.warn('standard library not installed', { project_id: announcement.projectId, reason: result.error.type });
    },
  };
}
