import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Transform } from 'node:stream';
import { bodyParser } from '@koa/bodyparser';
import { Router, type RouterContext } from '@koa/router';
import Koa from 'koa';
import { z } from 'zod';
import { projectAccess } from '@trellis/kernel/project-access';
import type { Access, Caller } from '../auth/access.js';
import type { Authenticator } from '../auth/authenticate.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { OpenAPIObject } from 'openapi3-ts/oas31';
import { buildOpenApi } from './openapi.js';
import { inertDependencies } from './inert.js';
import { HttpProblem, fromClientError, toProblem } from './problem.js';
import { fromUnavailableDependency } from './unavailable.js';
import { findUnsafeValue } from './request-values.js';
import { PUBLIC } from '../auth/access.js';
import { defineRoute, type RequestContext, type Route, type Upload } from './route.js';

export type ReadinessCheck = { name: string; check: () => Promise<void> };

export type HttpAppOptions = {
  service: string;
  version: string;
  /** Every route of the service lives under this prefix (`/studio`), so it reads the same behind the gateway and alone. */
  basePath: string;
  routes: readonly Route[];
  readiness: readonly ReadinessCheck[];
  logger: Logger;
  metrics: Metrics;
  bodyLimit: string;
  readinessTimeoutMs?: number;
  /** Required as soon as one route is not public. */
  authenticate?: Authenticator;
  /**
   * Route groups served under a base path of their own (the runner's `/user-api`), with the same
   * request ids, logs, metrics, body limits and problem answers; they are not in the service's
   * OpenAPI document (a group describes itself, if it wants to).
   */
  groups?: readonly RouteGroup[];
};

export type RouteGroup = { basePath: string; routes: readonly Route[] };

const safeId = /^[A-Za-z0-9._:-]{1,128}$/;
const traceparent = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

function traceIdOf(headers: Koa.Request['headers']): string {
  const parent = traceparent.exec(String(headers['traceparent'] ?? ''));
  if (parent?.[1]) return parent[1];
  const given = String(headers['x-trace-id'] ?? '');
  // 32 hex digits of a random UUID: node draws those from a cache of entropy, where randomBytes(16)
  // asked the system's generator at every request (26 us a request, 2% of a one-step run's CPU).
  return safeId.test(given) ? given : randomUUID().replaceAll('-', '');
}

function requestIdOf(headers: Koa.Request['headers']): string {
  const given = String(headers['x-request-id'] ?? '');
  return safeId.test(given) ? given : randomUUID();
}

function zodProblem(where: string, error: z.ZodError): HttpProblem {
  const errors = error.issues.map((issue) => ({ path: [where, ...issue.path].join('.'), message: issue.message }));
  return new HttpProblem(400, 'invalid_request', 'Invalid request', `The request ${where} does not match the expected shape.`, errors);
}

function parse<T>(where: string, schema: z.ZodType<T> | undefined, value: unknown): T {
  if (!schema) return undefined as T;
  const unsafe = findUnsafeValue(value, where);
  if (unsafe) throw new HttpProblem(400, 'invalid_request', 'Invalid request', `The request ${where} holds what no route takes.`, [unsafe]);
  const result = schema.safeParse(value);
  if (!result.success) throw zodProblem(where, result.error);
  return result.data;
}

function hasBody(ctx: Koa.Context): boolean {
  return Number(ctx.request.length ?? 0) > 0 || ctx.request.headers['transfer-encoding'] !== undefined;
}

async function runChecks(checks: readonly ReadinessCheck[], timeoutMs: number): Promise<Record<string, string>> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([check(), timeout]);
        return [name, 'ok'] as const;
      } catch (error) {
        return [name, error instanceof Error ? error.message : String(error)] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return Object.fromEntries(results);
}

/** The router answers these with an empty body (and, for 405, an Allow header); we give them a problem body. */
const routerAnswers: Record<number, (ctx: Koa.Context) => HttpProblem> = {
  404: (ctx) => new HttpProblem(404, 'not_found', 'Not found', `No route matches ${ctx.method} ${ctx.path}.`),
  405: (ctx) => new HttpProblem(405, 'method_not_allowed', 'Method not allowed', `${ctx.method} is not allowed here; see the Allow header.`),
  501: (ctx) => new HttpProblem(501, 'not_implemented', 'Not implemented', `${ctx.method} is not supported.`),
};

/** Whatever goes wrong while reading a body is the client's doing. */
function bodyProblem(error: unknown): HttpProblem {
  const status = (error as { status?: unknown }).status;
  if (status === 413) return new HttpProblem(413, 'payload_too_large', 'Request body too large', 'The request body exceeds the size limit.');
  if (status === 415) return new HttpProblem(415, 'unsupported_encoding', 'Unsupported body encoding');
  return new HttpProblem(400, 'malformed_body', 'Malformed request body', 'The request body is not valid JSON.');
}

const healthBody = z.object({ status: z.literal('ok'), service: z.string(), version: z.string() });
const readyBody = z.object({ status: z.enum(['ready', 'not_ready']), checks: z.record(z.string(), z.string()) });

type OperationalOptions = Pick<HttpAppOptions, 'service' | 'version' | 'readiness' | 'metrics' | 'readinessTimeoutMs'>;

function operationalRoutes(options: OperationalOptions, getOpenApi: () => object): Route[] {
  const timeoutMs = options.readinessTimeoutMs ?? 2000;
  // Operation ids are camelCase: `action-builder` -> `actionBuilderHealth`.
  const id = options.service.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
  return [
    defineRoute({
      method: 'get', path: '/healthz', operationId: `${id}Health`, summary: 'Liveness: the process answers',
      tags: ['operations'], access: PUBLIC, quiet: true,
      responses: { 200: { description: 'Alive', schema: healthBody } },
      handler: async () => ({ status: 200, body: { status: 'ok', service: options.service, version: options.version } }),
    }),
    defineRoute({
      method: 'get', path: '/readyz', operationId: `${id}Ready`, summary: 'Readiness: its database and broker answer',
      tags: ['operations'], access: PUBLIC, quiet: true,
      responses: { 200: { description: 'Ready', schema: readyBody }, 503: { description: 'A dependency is down', schema: readyBody } },
      handler: async () => {
        const checks = await runChecks(options.readiness, timeoutMs);
        const ready = Object.values(checks).every((outcome) => outcome === 'ok');
        return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'not_ready', checks } };
      },
    }),
    defineRoute({
      method: 'get', path: '/metrics', operationId: `${id}Metrics`, summary: 'Prometheus metrics',
      tags: ['operations'], access: PUBLIC, quiet: true,
      responses: { 200: { description: 'Metrics in the Prometheus text format', contentType: 'text/plain' } },
      handler: async () => ({
        status: 200,
        body: await options.metrics.registry.metrics(),
        contentType: options.metrics.registry.contentType,
      }),
    }),
    defineRoute({
      method: 'get', path: '/openapi.json', operationId: `${id}OpenApi`, summary: 'This service\'s OpenAPI document',
      tags: ['operations'], access: PUBLIC, quiet: true,
      responses: { 200: { description: 'OpenAPI 3.1 document' } },
      handler: async () => ({ status: 200, body: getOpenApi() }),
    }),
  ];
}

const unauthenticated = {
  missing: () => new HttpProblem(401, 'unauthenticated', 'Authentication required', 'Send an access token or a project API key as a Bearer credential.'),
  invalid: () => new HttpProblem(401, 'unauthenticated', 'Invalid credentials', 'The Bearer credential is not valid.'),
  expired: () => new HttpProblem(401, 'token_expired', 'Token expired', 'The access token has expired; refresh it.'),
};

/**
 * Throws the problem that refuses `caller` on a route with `access`; returns when it may proceed.
 * A project route whose path names a project serves only the caller's current project: any
 * other answers 404 (before the role is looked at), so nobody learns what exists elsewhere.
 */
function checkAccess(access: Access, caller: Caller, pathProjectId: string | undefined): void {
  switch (access.kind) {
    case 'public':
      return;
    case 'authenticated':
      if (caller.via === 'api_key') throw new HttpProblem(403, 'user_token_required', 'A person\'s token is required', 'API keys act for a project, not for a person.');
      return;
    case 'admin':
      if (!caller.isAdmin) throw new HttpProblem(403, 'forbidden', 'Forbidden', 'This requires an instance administrator.');
      return;
    case 'project': {
      if (access.admins && caller.isAdmin) return;
      if (!caller.projectId) throw new HttpProblem(403, 'no_project', 'No current project', 'Switch to a project first.');
      // A route without a project in its path acts on the caller's own project.
      switch (projectAccess(caller, pathProjectId ?? caller.projectId, access.role, { adminMay: access.admins === true })) {
        case 'not_found':
          throw new HttpProblem(404, 'project_not_found', 'Project not found', 'No such project among yours.');
        case 'forbidden':
          throw new HttpProblem(403, 'forbidden', 'Forbidden', `This requires the ${access.role} role or above in the project.`);
        case 'allowed':
          return;
      }
    }
  }
}

const isJson = (ctx: Koa.Context): boolean => Boolean(ctx.request.is('application/json', '+json'));

function acceptedTypes(route: Route): string[] {
  return [...(route.body ? ['application/json'] : []), ...(route.text?.mediaTypes ?? [])];
}

/**
 * The request's body as the route takes it: text in one of its text media types, else JSON
 * checked against its schema. A route that declares neither ignores whatever was sent.
 */
function bodyOf(route: Route, ctx: Koa.Context): { body: unknown; text: string | undefined } {
  const type = ctx.request.type.toLowerCase();
  if (route.text?.mediaTypes.some((accepted) => accepted.toLowerCase() === type)) {
    const raw = ctx.request.body;
    return { body: undefined, text: typeof raw === 'string' ? raw : '' };
  }
  if (!route.body && !route.text) return { body: undefined, text: undefined };
  const accepted = acceptedTypes(route).join(', ');
  if (!hasBody(ctx)) {
    if (route.body) return { body: parse('body', route.body, undefined), text: undefined };
    throw new HttpProblem(400, 'invalid_request', 'Invalid request', `The request needs a body: ${accepted}.`, [{ path: 'body', message: 'Required' }]);
  }
  if (route.body && isJson(ctx)) return { body: parse('body', route.body, ctx.request.body), text: undefined };
  throw new HttpProblem(415, 'unsupported_media_type', 'Unsupported media type', `Send the body as ${accepted}.`);
}

// The rest of the body is read and dropped after the answer (endUnreadRequest).
const tooLarge = (maxBytes: number) =>
  new HttpProblem(413, 'payload_too_large', 'Request body too large', `The file exceeds the size limit of ${maxBytes} bytes.`);

/** The body of an upload route, streamed: refused at once when its declared length is too big, cut off when it grows past the limit. */
/** Whether this request's body is streamed to the route rather than parsed. */
function streamsBody(route: Route, ctx: Koa.Context): boolean {
  if (!route.upload) return false;
  const types = route.upload.mediaTypes;
  return types === undefined || types.includes(ctx.request.type);
}

function uploadOf(route: Route, ctx: Koa.Context): Upload | undefined {
  if (!route.upload || !streamsBody(route, ctx)) return undefined;
  const { maxBytes } = route.upload;
  // No body is an empty file (HTTP cannot tell the two apart).
  const declared = ctx.request.length;
  if (declared !== undefined && declared > maxBytes) throw tooLarge(maxBytes);
  let seen = 0;
  const limited = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > maxBytes) done(tooLarge(maxBytes));
      else done(null, chunk);
    },
  });
  ctx.req.on('error', (error) => limited.destroy(error));
  ctx.req.pipe(limited);
  return { stream: limited, contentType: ctx.request.type || 'application/octet-stream', declaredLength: declared };
}

function mount(router: Router, route: Route, basePath: string, authenticate: Authenticator | undefined): void {
  router[route.method](`${basePath}${route.path}`, async (ctx: RouterContext) => {
    ctx.state['route'] = `${basePath}${route.path}`;
    ctx.state['quiet'] = route.quiet === true;
    const context = ctx.state['requestContext'] as RequestContext;
    if (route.access.kind !== 'public') {
      if (!authenticate) throw new Error(`route ${route.operationId} needs authentication but the app has no authenticator`);
      const outcome = await authenticate(ctx.get('authorization') || undefined);
      if (!outcome.ok) {
        ctx.set('www-authenticate', `Bearer realm="trellis"${outcome.reason === 'missing' ? '' : ', error="invalid_token"'}`);
        throw unauthenticated[outcome.reason]();
      }
      checkAccess(route.access, outcome.caller, (ctx.params as Record<string, string | undefined>)['projectId']);
      context.caller = outcome.caller;
      ctx.state['caller'] = outcome.caller;
    }
    const params = parse('params', route.params, ctx.params);
    const query = parse('query', route.query, ctx.query);
    const upload = uploadOf(route, ctx);
    const result = await route.handler({ params, query, ...(upload ? { body: undefined, text: undefined } : bodyOf(route, ctx)), upload, context });
    ctx.status = result.status;
    for (const [name, value] of Object.entries(result.headers ?? {})) ctx.set(name, value);
    if (result.body !== undefined) {
      ctx.body = result.body;
      if (result.contentType) ctx.type = result.contentType;
    }
  });
}

/**
 * The OpenAPI document a service serves at `<base>/openapi.json`, made without serving it:
 * `make openapi` describes every service this way, from routes built on inert dependencies.
 */
export function serviceOpenApi(options: { service: string; version: string; basePath: string; routes: readonly Route[] }): OpenAPIObject {
  const notServing = { readiness: [], metrics: inertDependencies<Metrics>('metrics') };
  const routes = [...operationalRoutes({ ...options, ...notServing }, () => ({})), ...options.routes];
  return buildOpenApi({ title: `Trellis ${options.service}`, version: options.version, basePath: options.basePath, routes });
}

/**
 * An answer given before its request's body was read to the end (a body over the limit found
 * while reading, an upload refused or cut off) leaves the rest unread and the socket paused, so a
 * next request on this keep-alive connection would never be read. The gateway reuses its
 * connections to the services and sent some requests into such a connection, where they waited
 * with no answer (found by the fuzzing suite, about 1 request in 3,000). So the rest is read and
 * dropped once the answer is sent. The connection is not closed instead: closing it while the
 * body still arrives resets it, and the gateway may lose the answer to the reset (a 502).
 */
function endUnreadRequest(ctx: Koa.Context): void {
  if (ctx.req.complete) return;
  ctx.res.once('finish', () => {
    ctx.req.unpipe();
    ctx.req.resume();
  });
}

/** A koa app with request ids, traces, body limits, problem+json errors and the operational routes. */
export function makeHttpApp(options: HttpAppOptions): Koa {
  // Behind the gateway: the client address is the last X-Forwarded-For entry, the one nginx appends
  // (earlier entries are written by the client and cannot be trusted).
  const app = new Koa({ proxy: true, maxIpsCount: 1 });
  // What koa cannot answer (a client that drops its connection mid-body) is logged like everything
  // else, not printed as plain text on stderr.
  app.on('error', (error: unknown) => options.logger.warn('connection error', { error: error instanceof Error ? error.message : String(error) }));
  // The OpenAPI route describes every route, itself included, so the document is filled in after the list exists.
  const openApi: { document?: object } = {};
  const routes = [...operationalRoutes(options, () => openApi.document ?? {}), ...options.routes];
  openApi.document = buildOpenApi({ title: `Trellis ${options.service}`, version: options.version, basePath: options.basePath, routes });

  app.use(async (ctx, next) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdOf(ctx.request.headers);
    const traceId = traceIdOf(ctx.request.headers);
    const logger = options.logger.child({ request_id: requestId, trace_id: traceId });
    ctx.state['requestContext'] = { requestId, traceId, logger, headers: ctx.request.headers, caller: null, clientIp: ctx.ip } satisfies RequestContext;
    ctx.set('x-request-id', requestId);
    ctx.set('x-trace-id', traceId);
    try {
      await next();
      const unrouted = routerAnswers[ctx.status];
      if (unrouted && ctx.body === undefined) throw unrouted(ctx);
    } catch (error) {
      const unavailable = fromUnavailableDependency(error);
      const problem = fromClientError(error) ?? unavailable;
      if (unavailable) logger.warn('request failed: a backing service is out of reach', { method: ctx.method, path: ctx.path, error });
      else if (!problem) logger.error('request failed', { method: ctx.method, path: ctx.path, error });
      const answer = problem ?? new HttpProblem(500, 'internal_error', 'Internal error', 'Something went wrong on our side; the request id identifies it in the logs.');
      ctx.status = answer.status;
      for (const [name, value] of Object.entries(answer.headers ?? {})) ctx.set(name, value);
      ctx.type = 'application/problem+json';
      ctx.body = toProblem(answer, ctx.path, requestId);
    } finally {
      endUnreadRequest(ctx);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = String(ctx.state['route'] ?? 'unmatched');
      options.metrics.httpRequestDuration.observe({ method: ctx.method, route, status: String(ctx.status) }, seconds);
      const caller = ctx.state['caller'] as Caller | undefined;
      logger.log(ctx.state['quiet'] && ctx.status < 400 ? 'debug' : 'info', 'request', {
        method: ctx.method, route, status: ctx.status, duration_ms: Math.round(seconds * 1e6) / 1e3,
        ...(caller ? { user_id: caller.userId, project_id: caller.projectId, auth_via: caller.via, auth_id: caller.credentialId } : {}),
      });
    }
  });
  // JSON is application/json and every +json type (merge-patch+json among them); the text types
  // are those some route declares, read as a string. Anything else is left unread, and the route
  // answers 415.
  const groups: RouteGroup[] = [{ basePath: options.basePath, routes }, ...(options.groups ?? [])];
  const allRoutes = groups.flatMap((group) => group.routes);
  const textTypes = [...new Set(allRoutes.flatMap((route) => route.text?.mediaTypes ?? []))];
  const router = new Router();
  // An upload route's body is a file of any type, streamed to its handler: the parser leaves it alone.
  const uploadRoutes = new Map(groups.flatMap((group) => group.routes.filter((route) => route.upload)
    .map((route) => [`${route.method.toUpperCase()} ${group.basePath}${route.path}`, route] as const)));
  if (uploadRoutes.size > 0) {
    app.use(async (ctx, next) => {
      const streamed = router.match(ctx.path, ctx.method).pathAndMethod.some((layer) => {
        const route = typeof layer.path === 'string' ? uploadRoutes.get(`${ctx.method} ${layer.path}`) : undefined;
        return route !== undefined && streamsBody(route, ctx);
      });
      if (streamed) ctx.disableBodyParser = true;
      await next();
    });
  }
  app.use(bodyParser({
    enableTypes: textTypes.length > 0 ? ['json', 'text'] : ['json'],
    detectJSON: isJson,
    // Replaces the parser's own text types (text/plain) rather than adding to them.
    ...(textTypes.length > 0 ? { extendTypes: { text: textTypes } } : {}),
    jsonLimit: options.bodyLimit,
    textLimit: options.bodyLimit,
    encoding: 'utf-8',
    onError: (error) => {
      throw bodyProblem(error);
    },
  }));

  if (!options.authenticate && allRoutes.some((route) => route.access.kind !== 'public')) {
    throw new Error('routes that are not public need an authenticator');
  }
  for (const group of groups) for (const route of group.routes) mount(router, route, group.basePath, options.authenticate);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

export type HttpServer = { server: Server; port: number; close: () => Promise<void> };

/** Listens and returns a closer that stops taking connections and drains open ones. */
export async function startHttpServer(app: Koa, options: { host: string; port: number }): Promise<HttpServer> {
  const server = createServer(app.callback());
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
