import type { RunningService, StartOptions } from '@trellis/platform/service';
import { startTenantService } from '@trellis/platform/tenancy/tenant-service';
import type { Env } from './config.js';
import { BASE_PATH, makeRoutes } from './http/routes.js';
import * as authorization from './pb/authorization/v1/events.js';
import type { Database } from './postgres/schema.js';
import { eventsQueue, SERVICE } from './rabbitmq/topology.js';

export type RunningStudio = RunningService<Database>;

/** Studio as main.ts runs it (and the tests): tenancy, its events queue, its routes. */
export function startStudio(env: Env, options: StartOptions): Promise<RunningStudio> {
  return startTenantService<Database>({
    service: SERVICE, title: 'studio', operationPrefix: 'studio', basePath: BASE_PATH, env, options,
    queue: eventsQueue(env.TRELLIS_MESSAGE_RETRY_DELAYS_MS),
    messages: authorization,
    wire: (runtime) => ({
      // Studio keeps no objects, and nothing of a project beyond the rows tenancy deletes (yet).
      deleteProjectData: async () => undefined,
      routes: makeRoutes({ db: runtime.db }),
    }),
  });
}
