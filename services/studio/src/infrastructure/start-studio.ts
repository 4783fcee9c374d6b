import { createHash, randomUUID } from 'node:crypto';
import { makeSecretBox } from '@trellis/platform/crypto/secret-box';
import { makeObjectStore, makeProjectObjects, objectStoreConfigFromEnv } from '@trellis/platform/object-store';
import type { RunningService, StartOptions } from '@trellis/platform/service';
import type { ServiceRuntime } from '@trellis/platform/service-runtime';
import { startTenantService } from '@trellis/platform/tenancy/tenant-service';
import { deleteActionVersion } from '../application/delete-action-version.js';
import { makeFileUseCases } from '../application/file-use-cases.js';
import { makeProjectValueUseCases } from '../application/project-value-use-cases.js';
import { makeWorkflowUseCases } from '../application/workflow-use-cases.js';
import type { Env } from './config.js';
import { HTTP_IDENTITY } from './http/openapi-document.js';
import { makeRoutes } from './http/routes.js';
import { makeFileContents } from './object-store/file-contents.js';
import * as authorization from './pb/authorization/v1/events.js';
import { makeFileQueries } from './postgres/file-queries.js';
import { makeProjectValueQueries } from './postgres/project-value-queries.js';
import { makeLibraryQueries } from './postgres/queries.js';
import type { Database } from './postgres/schema.js';
import { makeWorkflowQueries } from './postgres/workflow-queries.js';
import { makeUnitOfWork } from './postgres/unit-of-work.js';
import { makeHandlers } from './rabbitmq/handlers.js';
import { eventsQueue, SERVICE } from './rabbitmq/topology.js';
import { makeRunnerSealer } from './runner-sealer.js';

export type RunningStudio = RunningService<Database>;

/**
 * Studio as main.ts runs it (and the tests): tenancy, the library fed by the builder, the
 * project's variables and secrets, workflows (deployed through the runner), uploaded files (in the
 * object store), its routes.
 */
export function startStudio(env: Env, options: StartOptions): Promise<RunningStudio> {
  return startTenantService<Database>({
    ...HTTP_IDENTITY, env, options,
    queue: eventsQueue(env.TRELLIS_MESSAGE_RETRY_DELAYS_MS),
    messages: authorization,
    wire: (runtime) => wire(env, runtime),
  });
}

function wire(env: Env, runtime: ServiceRuntime<Database>) {
  const store = makeObjectStore(objectStoreConfigFromEnv(env));
  const objects = makeProjectObjects(store, SERVICE);
  const contents = makeFileContents(store, { logger: runtime.logger });
  const uow = makeUnitOfWork(runtime.db);
  const clock = () => new Date();
  const projectValues = makeProjectValueUseCases({
    uow, clock, vault: makeSecretBox(env.TRELLIS_SECRET_KEY), sealer: makeRunnerSealer(env.TRELLIS_RUNNER_PUBLIC_KEY),
  });
  return {
    // Rows reference the project and go with it; the uploaded files' contents are deleted here.
    deleteProjectData: (projectId: string) => objects.deleteAll(projectId),
    handlers: makeHandlers(),
    routes: makeRoutes({
      queries: makeLibraryQueries(runtime.db), deleteActionVersion: (input) => deleteActionVersion({ uow }, input),
      projectValues: { useCases: projectValues, queries: makeProjectValueQueries(runtime.db) },
      workflows: {
        useCases: makeWorkflowUseCases({
          uow, clock, ids: randomUUID, checksum: (text) => createHash('sha256').update(text).digest('hex'), siteDefault: env.TRELLIS_SITE_DEFAULT,
        }),
        queries: makeWorkflowQueries(runtime.db),
      },
      files: {
        useCases: makeFileUseCases({ uow, clock, ids: randomUUID, contents }), queries: makeFileQueries(runtime.db), store: contents,
        maxBytes: env.TRELLIS_UPLOAD_MAX_BYTES,
      },
    }),
    readiness: [{ name: 'object store', check: store.check }],
  };
}
