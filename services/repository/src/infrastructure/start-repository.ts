import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { makeSecretBox } from '@trellis/platform/crypto/secret-box';
import { makeObjectStore, makeProjectObjects, objectStoreConfigFromEnv } from '@trellis/platform/object-store';
import type { RunningService, StartOptions } from '@trellis/platform/service';
import type { ServiceRuntime } from '@trellis/platform/service-runtime';
import { makeTenancyHandlers, PROJECT_CREATED } from '@trellis/platform/tenancy/consumer';
import { startTenantService } from '@trellis/platform/tenancy/tenant-service';
import { deleteProjectData } from '../application/delete-project-data.js';
import { makeUseCases } from '../application/use-cases.js';
import { libraryOrigin, type Env, type LibraryOrigin } from './config.js';
import { HTTP_IDENTITY } from './http/openapi-document.js';
import { makeGit } from './git/checkout.js';
import { makeRoutes } from './http/routes.js';
import * as authorization from './pb/authorization/v1/events.js';
import { makeQueries } from './postgres/queries.js';
import { makeScanJobs } from './postgres/scan-jobs.js';
import type { Database } from './postgres/schema.js';
import { makeUnitOfWork } from './postgres/unit-of-work.js';
import { makeHandlers } from './rabbitmq/handlers.js';
import { eventsQueue, SERVICE } from './rabbitmq/topology.js';
import { makeActionFinder } from './scan/find-actions.js';
import { makeSourceArchives, makeSourceObjects } from './scan/source-archives.js';
import { makeScanMetrics } from './scan-metrics.js';
import { startScanWorker } from './scan-worker.js';
import { startStandardLibrary } from './standard-library.js';
import { standardLibraryUrl } from './standard-library-url.js';

export type RunningRepository = RunningService<Database>;

/** The repository service as main.ts runs it (and the tests): tenancy, sources, the scan workers, build requests and the builder's reports. */
export async function startRepository(env: Env, options: StartOptions): Promise<RunningRepository> {
  // Both library variables set is refused before anything starts.
  const origin = libraryOrigin(env);
  return startTenantService<Database>({
    ...HTTP_IDENTITY, env, options,
    queue: eventsQueue(env.TRELLIS_MESSAGE_RETRY_DELAYS_MS),
    messages: authorization,
    wire: (runtime) => wire(env, runtime, { origin, version: options.version }),
  });
}

async function wire(env: Env, runtime: ServiceRuntime<Database>, library: { origin: LibraryOrigin; version: string }) {
  const store = makeObjectStore(objectStoreConfigFromEnv(env));
  const objects = makeProjectObjects(store, SERVICE);
  const workDir = env.TRELLIS_SCAN_WORK_DIR;
  const useCases = makeUseCases({
    uow: makeUnitOfWork(runtime.db),
    vault: makeSecretBox(env.TRELLIS_SECRET_KEY),
    clock: () => new Date(),
    ids: randomUUID,
    settings: { allowFileUrls: env.TRELLIS_GIT_ALLOW_FILE_URLS },
    objects: makeSourceObjects(store),
    git: makeGit({ workDir, limits: { timeoutMs: env.TRELLIS_SCAN_TIMEOUT_MS, maxBytes: env.TRELLIS_SCAN_MAX_REPOSITORY_BYTES, maxFiles: env.TRELLIS_SCAN_MAX_FILES } }),
    finder: makeActionFinder(),
    archives: makeSourceArchives({ store, workDir }),
  });
  const libraryUrl = await standardLibraryUrl(library.origin, { workDir, version: library.version, logger: runtime.logger });
  const standard = libraryUrl === undefined
    ? undefined
    : startStandardLibrary({ url: libraryUrl, useCases, logger: runtime.logger, workDir, timeoutMs: env.TRELLIS_SCAN_TIMEOUT_MS });
  const worker = startScanWorker({
    jobs: makeScanJobs(runtime.db, env.TRELLIS_SCAN_LEASE_MS),
    run: standard ? standard.afterScan(useCases.runScan) : useCases.runScan,
    abandon: useCases.abandonScan,
    connectionString: env.TRELLIS_DATABASE_URL,
    logger: runtime.logger,
    metrics: makeScanMetrics(runtime.metrics.registry),
    worker: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    concurrency: env.TRELLIS_SCAN_CONCURRENCY,
    pollMs: env.TRELLIS_SCAN_POLL_MS,
    leaseMs: env.TRELLIS_SCAN_LEASE_MS,
  });
  runtime.lifecycle.onShutdown('scan worker', worker.stop);
  if (standard) runtime.lifecycle.onShutdown('standard library', standard.stop);
  const deleteData = async (projectId: string) => deleteProjectData({ objects }, projectId);
  // With a standard library, tenancy's ProjectCreated handler is followed by the library's install.
  const projectCreated = makeTenancyHandlers<Database>({ messages: authorization, deleteProjectData: deleteData })[PROJECT_CREATED];
  return {
    deleteProjectData: deleteData,
    handlers: makeHandlers({ projectCreated, standardLibrary: standard && libraryUrl !== undefined ? { url: libraryUrl, head: standard.head } : undefined }),
    routes: makeRoutes({ useCases, queries: makeQueries(runtime.db) }),
    readiness: [{ name: 'object store', check: store.check }],
  };
}
