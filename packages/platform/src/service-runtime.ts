import type { Kysely } from 'kysely';
import { BrokerConnection } from './amqp/connection.js';
import type { Authenticator } from './auth/authenticate.js';
import { startConsumer, type ConsumerOptions } from './amqp/consumer.js';
import { makeHttpApp, startHttpServer, type HttpServer, type ReadinessCheck, type RouteGroup } from './http/app.js';
import type { Route } from './http/route.js';
import { makeLifecycle } from './lifecycle.js';
import { makeLogger, type Logger } from './logger.js';
import { makeMetrics } from './metrics.js';
import { checkDatabase, makeDatabase } from './postgres/db.js';
import { startOutboxRelay } from './postgres/outbox.js';

export type ServiceEnv = {
  TRELLIS_HTTP_HOST: string;
  TRELLIS_HTTP_PORT: number;
  TRELLIS_DATABASE_URL: string;
  TRELLIS_DATABASE_POOL_SIZE: number;
  TRELLIS_AMQP_URL: string;
  TRELLIS_LOG_LEVEL: string;
  TRELLIS_BODY_LIMIT: string;
  TRELLIS_SHUTDOWN_TIMEOUT_MS: number;
};

/**
 * The pieces every service process has, built once, with their shutdown registered so that
 * the HTTP server stops first and the database pool closes last. A service's main.ts adds
 * its own topology, consumers and routes to it explicitly.
 */
export function makeServiceRuntime<Schema>(options: { service: string; version: string; env: ServiceEnv; logger?: Logger }) {
  const { env, service } = options;
  const logger = options.logger ?? makeLogger({ service, level: env.TRELLIS_LOG_LEVEL });
  const metrics = makeMetrics(service);
  const lifecycle = makeLifecycle({ logger, timeoutMs: env.TRELLIS_SHUTDOWN_TIMEOUT_MS });
  const database = makeDatabase<Schema>({
    connectionString: env.TRELLIS_DATABASE_URL,
    poolSize: env.TRELLIS_DATABASE_POOL_SIZE,
    applicationName: service,
    logger,
  });
  lifecycle.onShutdown('database', database.close);
  const broker = new BrokerConnection({ url: env.TRELLIS_AMQP_URL, name: service, logger });
  lifecycle.onShutdown('broker', () => broker.close());

  const readiness: ReadinessCheck[] = [
    { name: 'database', check: () => checkDatabase(database.db as Kysely<unknown>) },
    {
      name: 'broker',
      check: async () => {
        if (!broker.isConnected()) throw new Error('not connected');
      },
    },
  ];

  return {
    service,
    logger,
    metrics,
    lifecycle,
    db: database.db,
    /** The pool under `db`, for what kysely does not say: named (prepared) statements on a hot path. */
    pool: database.pool,
    broker,

    startOutboxRelay(): void {
      const relay = startOutboxRelay({ db: database.db, connectionString: env.TRELLIS_DATABASE_URL, broker, logger, metrics });
      lifecycle.onShutdown('outbox relay', relay.stop);
    },

    startConsumer(consumer: Omit<ConsumerOptions<Schema>, 'broker' | 'db' | 'logger' | 'metrics'>): void {
      const running = startConsumer({ ...consumer, broker, db: database.db, logger, metrics });
      lifecycle.onShutdown(`consumer ${consumer.queue.name}`, running.stop);
    },

    async serve(http: { basePath: string; routes: readonly Route[]; groups?: readonly RouteGroup[]; readiness?: readonly ReadinessCheck[]; authenticate?: Authenticator }): Promise<HttpServer> {
      const app = makeHttpApp({
        service,
        version: options.version,
        basePath: http.basePath,
        routes: http.routes,
        readiness: [...readiness, ...(http.readiness ?? [])],
        logger,
        metrics,
        bodyLimit: env.TRELLIS_BODY_LIMIT,
        ...(http.authenticate ? { authenticate: http.authenticate } : {}),
        ...(http.groups ? { groups: http.groups } : {}),
      });
      const server = await startHttpServer(app, { host: env.TRELLIS_HTTP_HOST, port: env.TRELLIS_HTTP_PORT });
      lifecycle.onShutdown('http server', server.close);
      logger.info('listening', { host: env.TRELLIS_HTTP_HOST, port: server.port, base_path: http.basePath });
      return server;
    },
  };
}

export type ServiceRuntime<Schema> = ReturnType<typeof makeServiceRuntime<Schema>>;
