import { createHash, randomUUID } from 'node:crypto';
import { makeSecretBox } from '@trellis/platform/crypto/secret-box';
import type { RunningService, StartOptions } from '@trellis/platform/service';
import { startTenantService } from '@trellis/platform/tenancy/tenant-service';
import { deleteActionVersion } from '../application/delete-action-version.js';
import { makeProjectValueUseCases } from '../application/project-value-use-cases.js';
import { makeWorkflowUseCases } from '../application/workflow-use-cases.js';
import type { Env } from './config.js';
import { BASE_PATH, makeRoutes } from './http/routes.js';
import * as authorization from './pb/authorization/v1/events.js';
import { makeProjectValueQueries } from './postgres/project-value-queries.js';
import { makeLibraryQueries } from './postgres/queries.js';
import type { Database } from './postgres/schema.js';
import { makeWorkflowQueries } from './postgres/workflow-queries.js';
import { makeUnitOfWork } from './postgres/unit-of-work.js';
import { makeHandlers } from './rabbitmq/handlers.js';
import { eventsQueue, SERVICE } from './rabbitmq/topology.js';
import { makeRunnerSealer } from './runner-sealer.js';

export type RunningStudio = RunningService<Database>;

/** Studio as main.ts runs it (and the tests): tenancy, the library fed by the builder, the project's variables and secrets, workflows (deployed through the runner), its routes. */
export function startStudio(env: Env, options: StartOptions): Promise<RunningStudio> {
  return startTenantService<Database>({
    service: SERVICE, title: 'studio', operationPrefix: 'studio', basePath: BASE_PATH, env, options,
    queue: eventsQueue(env.TRELLIS_MESSAGE_RETRY_DELAYS_MS),
    messages: authorization,
    wire: (runtime) => {
      const uow = makeUnitOfWork(runtime.db);
      const projectValues = makeProjectValueUseCases({
        uow, clock: () => new Date(), vault: makeSecretBox(env.TRELLIS_SECRET_KEY), sealer: makeRunnerSealer(env.TRELLIS_RUNNER_PUBLIC_KEY),
      });
      return {
        // Studio keeps no objects; its rows reference the project and go with it.
        deleteProjectData: async () => undefined,
        handlers: makeHandlers(),
        routes: makeRoutes({
          queries: makeLibraryQueries(runtime.db), deleteActionVersion: (input) => deleteActionVersion({ uow }, input),
          projectValues: { useCases: projectValues, queries: makeProjectValueQueries(runtime.db) },
          workflows: {
            useCases: makeWorkflowUseCases({ uow, clock: () => new Date(), ids: randomUUID, checksum: (text) => createHash('sha256').update(text).digest('hex') }),
            queries: makeWorkflowQueries(runtime.db),
          },
        }),
      };
    },
  });
}
