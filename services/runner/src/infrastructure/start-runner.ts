import { makeOpener } from '@trellis/platform/crypto/sealed-box';
import { makeObjectStore, makeProjectObjects, objectStoreConfigFromEnv } from '@trellis/platform/object-store';
import type { RunningService, StartOptions } from '@trellis/platform/service';
import { startTenantService } from '@trellis/platform/tenancy/tenant-service';
import { deleteProjectData } from '../application/delete-project-data.js';
import type { ProjectValues } from '../application/ports.js';
import type { Env } from './config.js';
import { BASE_PATH, makeRoutes } from './http/routes.js';
import * as authorization from './pb/authorization/v1/events.js';
import { makeProjectValues } from './postgres/project-values.js';
import type { Database } from './postgres/schema.js';
import { makeHandlers } from './rabbitmq/handlers.js';
import { eventsQueue, SERVICE } from './rabbitmq/topology.js';
import { type LocalSite, makeLocalSite } from './local-site/local-site.js';

export type RunningRunner = RunningService<Database> & {
  /** The project variables and secrets (opened with the runner's key) that runs resolve their inputs from. */
  projectValues: ProjectValues;
  /** Where actions run: the local site (wrapper processes on this machine), stopped on shutdown. */
  site: LocalSite;
};

/** The runner service as main.ts runs it (and the tests): tenancy, its object store, studio's project values, its routes. */
export async function startRunner(env: Env, options: StartOptions): Promise<RunningRunner> {
  const opener = makeOpener(env.TRELLIS_SEALING_KEY);
  let site: LocalSite | undefined;
  const running = await startTenantService<Database>({
    service: SERVICE, title: 'the runner', operationPrefix: 'runner', basePath: BASE_PATH, env, options,
    queue: eventsQueue(env.TRELLIS_MESSAGE_RETRY_DELAYS_MS),
    messages: authorization,
    wire: (runtime) => {
      const store = makeObjectStore(objectStoreConfigFromEnv(env));
      const objects = makeProjectObjects(store, SERVICE);
      // The key id is public: it tells an operator which key studio must seal to (TRELLIS_RUNNER_PUBLIC_KEY).
      runtime.logger.info('sealing key loaded', { key_id: opener.keyId });
      site = makeLocalSite(store, {
        workDir: env.TRELLIS_RUNNER_WORK_DIR, concurrency: env.TRELLIS_RUNNER_ACTION_CONCURRENCY, idleMs: env.TRELLIS_RUNNER_IDLE_MS,
      }, runtime.logger);
      const stopSite = site.stop;
      runtime.lifecycle.onShutdown('local site', stopSite);
      return {
        // Project values reference the project and go with it.
        deleteProjectData: async (projectId) => deleteProjectData({ objects }, projectId),
        handlers: makeHandlers(),
        routes: makeRoutes({ db: runtime.db }),
        readiness: [{ name: 'object store', check: store.check }],
      };
    },
  });
  if (site === undefined) throw new Error('the runner was started without its local site');
  return { ...running, projectValues: makeProjectValues(running.runtime.db, opener), site };
}
