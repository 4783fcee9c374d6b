import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { makeObjectStore, makeProjectObjects, objectStoreConfigFromEnv } from '@trellis/platform/object-store';
import type { RunningService, StartOptions } from '@trellis/platform/service';
import type { ServiceRuntime } from '@trellis/platform/service-runtime';
import { lockProject } from '@trellis/platform/tenancy/postgres';
import { startTenantService, type TenantWiring } from '@trellis/platform/tenancy/tenant-service';
import { cancelBuild } from '../application/cancel-build.js';
import { claimBuilds } from '../application/claim-builds.js';
import { deleteProjectData } from '../application/delete-project-data.js';
import { recordBuildRequest } from '../application/record-build-request.js';
import { runBuild } from '../application/run-build.js';
import type { Env } from './config.js';
import { HTTP_IDENTITY } from './http/openapi-document.js';
import { makeRoutes } from './http/routes.js';
import { imagesFromEnv } from './images/images-from-env.js';
import { makeArtifactStore } from './object-store/builder-objects.js';
import * as authorization from './pb/authorization/v1/events.js';
import { makeBuildLogs } from './postgres/build-log-store.js';
import { liveHolders, makeLeases } from './postgres/build-repository.js';
import { makeQueries } from './postgres/queries.js';
import type { Database } from './postgres/schema.js';
import { makeQueueSignal, makeTransaction, makeUnitOfWork } from './postgres/unit-of-work.js';
import { ACTION_BUILD_REQUESTED, decodeBuildRequested } from './rabbitmq/codecs.js';
import { eventsQueue, SERVICE } from './rabbitmq/topology.js';
import { makeToolchain } from './toolchain/toolchain.js';
import { makeWorkspaces } from './toolchain/workspace.js';
import { makeBuildMetrics } from './worker/build-metrics.js';
import { startBuildWorker } from './worker/build-worker.js';

export type RunningActionBuilder = RunningService<Database> & { owner: string };

const UNPACK_LIMITS = { maxBytes: 1024 * 1024 * 1024, maxEntries: 100_000 };

/** The action-builder service as main.ts runs it (and the tests): tenancy, its build queue and workers, its routes. */
export async function startActionBuilder(env: Env, options: StartOptions): Promise<RunningActionBuilder> {
  const owner = randomUUID();
  const served: { server?: Server } = {};
  const running = await startTenantService<Database>({
    ...HTTP_IDENTITY, env, options,
    queue: eventsQueue(env.TRELLIS_MESSAGE_RETRY_DELAYS_MS),
    messages: authorization,
    // A server that stopped listening is shutting down: open log streams end, their clients come back later.
    wire: (runtime) => wire(runtime, env, owner, () => served.server !== undefined && !served.server.listening),
  });
  served.server = running.http.server;
  return { ...running, owner };
}

async function wire(runtime: ServiceRuntime<Database>, env: Env, owner: string, closing: () => boolean): Promise<TenantWiring<Database>> {
  const store = makeObjectStore(objectStoreConfigFromEnv(env));
  const objects = makeProjectObjects(store, SERVICE);
  const uow = makeUnitOfWork(runtime.db);
  const clock = () => new Date();
  const toolchain = makeToolchain(store, {
    workDir: env.TRELLIS_BUILD_WORK_DIR, owner, python: env.TRELLIS_BUILD_PYTHON, npmRegistry: env.TRELLIS_NPM_REGISTRY,
    pipIndexUrl: env.TRELLIS_PIP_INDEX_URL, pipFindLinks: env.TRELLIS_PIP_FIND_LINKS, unpackLimits: UNPACK_LIMITS,
  });
  const swept = await toolchain.sweep(await liveHolders(runtime.db, clock()));
  if (swept.length > 0) runtime.logger.info('work folders of stopped builder processes removed', { owners: swept });
  const images = imagesFromEnv(env, makeWorkspaces(env.TRELLIS_BUILD_WORK_DIR, owner).own);
  if (images) runtime.logger.info('builds make images', { images: env.TRELLIS_IMAGES, base: images.settings.base, registry: images.settings.registry?.host });
  const runDeps = {
    uow, clock, toolchain, objects, artifacts: makeArtifactStore(store), ...(images ? { images: images.builder } : {}),
    logs: makeBuildLogs(runtime.db, store, { maxBytes: env.TRELLIS_BUILD_LOG_MAX_BYTES, logger: runtime.logger }),
    onUnexpected: (error: unknown, build: { id: string }) => runtime.logger.error('build failed unexpectedly', { build_id: build.id, error }),
  };
  const settings = { owner, leaseMs: env.TRELLIS_BUILD_LEASE_MS, maxAttempts: env.TRELLIS_BUILD_MAX_ATTEMPTS };
  const worker = startBuildWorker({
    owner, clock, leases: makeLeases(runtime.db), connectionString: env.TRELLIS_DATABASE_URL, logger: runtime.logger,
    metrics: makeBuildMetrics(runtime.metrics.registry),
    claim: (limit) => claimBuilds({ uow, clock }, { ...settings, limit }),
    run: (build, signal) => runBuild(runDeps, { build, signal }),
  }, { parallelism: env.TRELLIS_BUILD_PARALLELISM, leaseMs: env.TRELLIS_BUILD_LEASE_MS, pollMs: env.TRELLIS_BUILD_POLL_MS, timeoutMs: env.TRELLIS_BUILD_TIMEOUT_MS });
  runtime.lifecycle.onShutdown('build worker', worker.stop);
  runtime.logger.info('build worker started', { owner, parallelism: env.TRELLIS_BUILD_PARALLELISM });

  return {
    deleteProjectData: async (projectId, trx) => deleteProjectData({ objects, queue: makeQueueSignal(trx) }, projectId),
    handlers: {
      [ACTION_BUILD_REQUESTED]: {
        decode: decodeBuildRequested,
        handle: async (request, { trx, logger }) => {
          await lockProject(trx, request.projectId);
          const outcome = await recordBuildRequest(makeTransaction(trx), request);
          logger.info('build request handled', { build_id: request.id, project_id: request.projectId, action_id: request.actionId, outcome });
        },
      },
    },
    routes: makeRoutes({
      db: runtime.db, store, queries: makeQueries(runtime.db), closing,
      cancelBuild: (input) => cancelBuild({ uow, clock }, input),
    }),
    readiness: [{ name: 'object store', check: store.check }],
  };
}
