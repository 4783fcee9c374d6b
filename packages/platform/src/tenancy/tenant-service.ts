import type { Channel } from 'amqplib';
import type { MessageHandler } from '../amqp/consumer.js';
import { declareConsumerQueue, declareEmitterExchange, type Binding, type ConsumerQueue } from '../amqp/topology.js';
import { makeServiceAuthenticator } from '../auth/service-authenticator.js';
import type { Kysely } from 'kysely';
import type { OpenAPIObject } from 'openapi3-ts/oas31';
import { serviceOpenApi, type ReadinessCheck, type RouteGroup } from '../http/app.js';
import { inertDependencies } from '../http/inert.js';
import type { Authenticator } from '../auth/authenticate.js';
import type { Route } from '../http/route.js';
import type { MessagingTables } from '../postgres/messaging-tables.js';
import { startOnRuntime, type RunningService, type StartOptions } from '../service.js';
import { makeServiceRuntime, type ServiceEnv, type ServiceRuntime } from '../service-runtime.js';
import type { AuthorizationMessages } from './codecs.js';
import { makeTenancyHandlers, tenancyBindings } from './consumer.js';
import { knownProjectRoute } from './project-route.js';
import type { TenancyTables } from './postgres.js';

/*
 * The shape shared by studio, repository, action-builder and runner: services that follow
 * authorization's projects and API keys (tenancy), consume one events queue, emit through an
 * outbox and serve authenticated HTTP. Each gives only what is its own.
 */

export type TenantServiceEnv = ServiceEnv & { TRELLIS_AUTH_JWKS_URL: string; TRELLIS_API_KEY_CACHE_MS: number; TRELLIS_MESSAGE_RETRY_DELAYS_MS: number[] };

/** `trellis.<service>.events`: tenancy's bindings plus the service's own. */
export function eventsQueueOf(service: string, retryDelaysMs: readonly number[], ownBindings: readonly Binding[] = []): ConsumerQueue {
  return { name: `trellis.${service}.events`, bindings: [...tenancyBindings(), ...ownBindings], retryDelaysMs };
}

/** Declared by migrate (before any service starts) and again at every broker connect: the service's exchange and its queue. */
export async function declareServiceTopology(channel: Channel, service: string, queue: ConsumerQueue): Promise<void> {
  await declareEmitterExchange(channel, service);
  await declareConsumerQueue(channel, queue);
}

/** What a service builds on its runtime: its own handlers, routes and checks, and its part of a project's deletion. */
export type TenantWiring<DB> = {
  deleteProjectData: Parameters<typeof makeTenancyHandlers<DB & TenancyTables>>[0]['deleteProjectData'];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler decodes its own message type
  handlers?: Readonly<Record<string, MessageHandler<DB, any>>>;
  routes?: readonly Route[];
  /** Routes under a base path of their own (the runner's `/user-api`), not in the service's OpenAPI document. */
  groups?: readonly RouteGroup[];
  readiness?: readonly ReadinessCheck[];
};

export type TenantServiceSpec<DB> = {
  /** `studio`, `repository`, `action-builder`, `runner`: names its exchange, queue, logs and objects. */
  service: string;
  /** How messages name the service: `studio`, `the action builder`. */
  title: string;
  /** Prefix of the operation ids: `studio` gives `studioGetProject`. */
  operationPrefix: string;
  basePath: string;
  env: TenantServiceEnv;
  options: StartOptions;
  queue: ConsumerQueue;
  /** The service's pinned copy of authorization's events (its generated code). */
  messages: AuthorizationMessages;
  /** `authenticate` is the one the service's routes use, for routes that check credentials themselves. */
  wire: (runtime: ServiceRuntime<DB>, shared: { authenticate: Authenticator }) => TenantWiring<DB> | Promise<TenantWiring<DB>>;
};

export function startTenantService<DB extends MessagingTables & TenancyTables>(spec: TenantServiceSpec<DB>): Promise<RunningService<DB>> {
  const { env, options } = spec;
  const runtime = makeServiceRuntime<DB>({ service: spec.service, version: options.version, env, ...(options.logger ? { logger: options.logger } : {}) });
  return startOnRuntime(runtime, options, async () => {
    const authenticate = makeServiceAuthenticator({ db: runtime.db, jwksUrl: env.TRELLIS_AUTH_JWKS_URL, apiKeyCacheMs: env.TRELLIS_API_KEY_CACHE_MS });
    const wiring = await spec.wire(runtime, { authenticate });
    runtime.broker.addTopology((channel) => declareServiceTopology(channel, spec.service, spec.queue));
    runtime.broker.start(); // connects in the background and keeps retrying; readiness reports it
    runtime.startOutboxRelay();
    const tenancy = makeTenancyHandlers<DB>({ messages: spec.messages, deleteProjectData: wiring.deleteProjectData });
    runtime.startConsumer({ queue: spec.queue, handlers: { ...tenancy, ...wiring.handlers } });

    const routes = [knownProjectRoute({ db: runtime.db, operationId: `${spec.operationPrefix}GetProject`, serviceTitle: spec.title }), ...(wiring.routes ?? [])];
    const http = await runtime.serve({ basePath: spec.basePath, routes, ...(wiring.groups ? { groups: wiring.groups } : {}), readiness: wiring.readiness ?? [], authenticate });
    return { http, basePath: spec.basePath, host: env.TRELLIS_HTTP_HOST };
  });
}

/** The OpenAPI document a tenant service serves, made without starting it (`make openapi`). */
export function tenantServiceOpenApi(spec: Pick<TenantServiceSpec<unknown>, 'service' | 'title' | 'operationPrefix' | 'basePath'> & { version: string; routes: readonly Route[] }): OpenAPIObject {
  const projectRoute = knownProjectRoute({ db: inertDependencies<Kysely<TenancyTables>>('database'), operationId: `${spec.operationPrefix}GetProject`, serviceTitle: spec.title });
  return serviceOpenApi({ service: spec.service, version: spec.version, basePath: spec.basePath, routes: [projectRoute, ...spec.routes] });
}
