import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { makeOpener } from '@trellis/platform/crypto/sealed-box';
import { makeObjectStore, makeProjectObjects, objectStoreConfigFromEnv, projectPrefix, removeObjectsUnder } from '@trellis/platform/object-store';
import type { RunningService, StartOptions } from '@trellis/platform/service';
import { startTenantService } from '@trellis/platform/tenancy/tenant-service';
import { deleteProjectData } from '../application/delete-project-data.js';
import type { ProjectValues } from '../application/ports.js';
import { actionEnvironment } from './action-environment.js';
import type { Env } from './config.js';
import { HTTP_IDENTITY } from './http/openapi-document.js';
import { makeRoutes } from './http/routes.js';
import * as authorization from './pb/authorization/v1/events.js';
import { makeProjectValues } from './postgres/project-values.js';
import type { Database } from './postgres/schema.js';
import { makeHandlers } from './rabbitmq/handlers.js';
import { eventsQueue, SERVICE } from './rabbitmq/topology.js';
import { type LocalSite, makeLocalSite } from './local-site/local-site.js';
import { wireSites, type WiredSites } from './sites-wiring.js';
import { wireDeployments } from './deployments-wiring.js';
import { wireEngine } from './engine-wiring.js';
import { wireTriggers } from './trigger-wiring.js';
import { cachingServedAt, cachingVariables, READ_CACHE_TTL_MS, startReadCache } from './read-cache.js';
import type { RunningEngine } from '../application/engine.js';
import type { Engine } from '../application/engine-port.js';
import { makeRunQueries } from './postgres/run-queries.js';
import { makeUserApiRoutes, USER_API_BASE } from './http/user-api.js';
import { makeRunObjects } from './object-store/run-objects.js';
import { makeRunAnswers } from './http/run-answers.js';
import { startRetention } from './retention-job.js';
import { startScheduler } from './schedule-job.js';
import { wireWebhooks } from './webhooks-wiring.js';

export type RunningRunner = RunningService<Database> & {
  /** The project variables and secrets (opened with the runner's key) that runs resolve their inputs from. */
  projectValues: ProjectValues;
  /** Where actions run: the local site (wrapper processes on this machine), stopped on shutdown. */
  site: LocalSite;
  /** Every site this runner enabled (TRELLIS_SITES), the local one included. */
  sites: WiredSites;
  /** Starts runs and waits for their ends (the HTTP trigger, the runs API); this process's id in runner_processes. */
  engine: RunningEngine;
  processId: string;
};

/** Tests may give the site the runner uses (a fake that fails or waits on cue), or the engine; main.ts never does. */
export type RunnerStartOptions = StartOptions & {
  site?: LocalSite; engine?: Engine; takeoverPollMs?: number; logPollMs?: number;
  /** Retry jitter in [0, 1) (Math.random when absent): tests fix it to know the delays. */
  random?: () => number;
};

/** The runner service as main.ts runs it (and the tests): tenancy, its object store, studio's project values, deployments, its routes. */
export async function startRunner(env: Env, options: RunnerStartOptions): Promise<RunningRunner> {
  const opener = makeOpener(env.TRELLIS_SEALING_KEY);
  let site: LocalSite | undefined;
  let sites: WiredSites | undefined;
  let wired: Awaited<ReturnType<typeof wireEngine>> | undefined;
  const served: { server?: Server } = {};
  // A server that stopped listening is shutting down: open log streams end, their clients come back later.
  const closing = () => served.server !== undefined && !served.server.listening;
  const running = await startTenantService<Database>({
    ...HTTP_IDENTITY, env, options,
    queue: eventsQueue(env.TRELLIS_MESSAGE_RETRY_DELAYS_MS),
    messages: authorization,
    wire: async (runtime, { authenticate }) => {
      const store = makeObjectStore(objectStoreConfigFromEnv(env));
      const objects = makeProjectObjects(store, SERVICE);
      // The key id is public: it tells an operator which key studio must seal to (TRELLIS_RUNNER_PUBLIC_KEY).
      runtime.logger.info('sealing key loaded', { key_id: opener.keyId });
      site = options.site ?? makeLocalSite(store, {
        workDir: env.TRELLIS_RUNNER_WORK_DIR, concurrency: env.TRELLIS_RUNNER_ACTION_CONCURRENCY, idleMs: env.TRELLIS_RUNNER_IDLE_MS,
        actionEnv: actionEnvironment(env),
      }, runtime.logger);
      // The process id is chosen here: the docker site labels its containers with it before the engine records it.
      const processId = randomUUID();
      sites = await wireSites(runtime, env, { local: site, processId });
      runtime.lifecycle.onShutdown('sites', sites.routed.stop);
      // What every run reads again (served path, serving version, variables), kept until a change notice: docs/runner.md, "Read cache".
      const reads = startReadCache({ connectionString: env.TRELLIS_DATABASE_URL, logger: runtime.logger.child({ component: 'read cache' }), ttlMs: READ_CACHE_TTL_MS });
      runtime.lifecycle.onShutdown('read cache', reads.stop);
      const projectValues = cachingVariables(makeProjectValues(runtime.db, opener), reads.cache);
      const runObjects = makeRunObjects(store, SERVICE);
      wired = await wireEngine(runtime, {
        readCache: reads.cache, connectionString: env.TRELLIS_DATABASE_URL, ...(options.random ? { random: options.random } : {}),
        site: sites.routed, processId, values: projectValues, objects: runObjects, inlineValueBytes: env.TRELLIS_RUNNER_INLINE_VALUE_BYTES, leaseMs: env.TRELLIS_RUNNER_LEASE_MS, ...(options.takeoverPollMs !== undefined ? { takeoverPollMs: options.takeoverPollMs } : {}),
      });
      const deployments = wireDeployments(runtime, env, sites.routed, wired.runsInFlight);
      const engine = options.engine ?? wired.engine;
      // After the engine and the site: their closers run after the listeners stopped.
      const triggers = wireTriggers(runtime, { connectionString: env.TRELLIS_DATABASE_URL, site: sites.routed, engine, values: projectValues });
      const removeRunObjects = async (projectId: string, runId: string) => {
        await removeObjectsUnder(store, `${projectPrefix(SERVICE, projectId)}runs/${runId}/`);
      };
      const answers = makeRunAnswers(store, runObjects);
      startRetention(runtime, { defaultDays: env.TRELLIS_RUNNER_RETENTION_DAYS, removeRunObjects });
      if (env.TRELLIS_RUNNER_SCHEDULES === 'on') startScheduler(runtime, { engine, values: projectValues, connectionString: env.TRELLIS_DATABASE_URL, misfireMs: env.TRELLIS_RUNNER_SCHEDULE_MISFIRE_MS });
      const webhooks = wireWebhooks(runtime, env, { getText: runObjects.getText, runsPrefix: runObjects.runsPrefix, ...(options.random ? { random: options.random } : {}) });
      return {
        // Project values reference the project and go with it.
        deleteProjectData: async (projectId) => deleteProjectData({ objects }, projectId),
        handlers: { ...makeHandlers(), ...deployments.handlers },
        routes: makeRoutes({
          db: runtime.db, webhooks, siteStats: sites.routed.stats, siteScaleToZero: sites.scaleToZero, triggerStatus: triggers.status, defaultRetentionDays: env.TRELLIS_RUNNER_RETENTION_DAYS,
          runs: {
            engine, removeRunObjects, closing, answers, getText: runObjects.getText, runsPrefix: runObjects.runsPrefix, ...(options.logPollMs !== undefined ? { logPollMs: options.logPollMs } : {}),
            // The engine calls a step with the idempotency key `<run>:<step>`.
            tailStep: (runId, step) => sites?.tailCall(`${runId}:${step}`),
            uploads: { store, objects: runObjects, maxBytes: env.TRELLIS_USER_API_MAX_UPLOAD_BYTES },
          },
        }),
        // `/user-api/<project>/<path>`: the HTTP triggers, outside /runner (and its OpenAPI document).
        groups: [{
          basePath: USER_API_BASE,
          routes: makeUserApiRoutes({
            queries: cachingServedAt(makeRunQueries(runtime.db), reads.cache), engine, authenticate, rate: { rate: env.TRELLIS_USER_API_RATE, burst: env.TRELLIS_USER_API_BURST },
            answers, store, objects: runObjects, maxUploadBytes: env.TRELLIS_USER_API_MAX_UPLOAD_BYTES,
          }),
        }],
        readiness: [{ name: 'object store', check: store.check }],
      };
    },
  });
  served.server = running.http.server;
  if (site === undefined || sites === undefined || wired === undefined) throw new Error('the runner was started without its local site or its engine');
  return { ...running, projectValues: makeProjectValues(running.runtime.db, opener), site, sites, engine: wired.engine, processId: wired.processId };
}
