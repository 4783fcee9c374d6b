import { makeObjectStore, makeProjectObjects, objectStoreConfigFromEnv } from '@trellis/platform/object-store';
import type { RunningService, StartOptions } from '@trellis/platform/service';
import { startTenantService } from '@trellis/platform/tenancy/tenant-service';
import { deleteProjectData } from '../application/delete-project-data.js';
import type { Env } from './config.js';
import { BASE_PATH, makeRoutes } from './http/routes.js';
import * as authorization from './pb/authorization/v1/events.js';
import type { Database } from './postgres/schema.js';
import { eventsQueue, SERVICE } from './rabbitmq/topology.js';

export type RunningRunner = RunningService<Database>;

/** The runner service as main.ts runs it (and the tests): tenancy, its object store, its events queue, its routes. */
export function startRunner(env: Env, options: StartOptions): Promise<RunningRunner> {
  return startTenantService<Database>({
    service: SERVICE, title: 'the runner', operationPrefix: 'runner', basePath: BASE_PATH, env, options,
    queue: eventsQueue(env.TRELLIS_MESSAGE_RETRY_DELAYS_MS),
    messages: authorization,
    wire: (runtime) => {
      const store = makeObjectStore(objectStoreConfigFromEnv(env));
      const objects = makeProjectObjects(store, SERVICE);
      return {
        deleteProjectData: async (projectId) => deleteProjectData({ objects }, projectId),
        routes: makeRoutes({ db: runtime.db }),
        readiness: [{ name: 'object store', check: store.check }],
      };
    },
  });
}
