import type { z } from 'zod';
import type { Logger } from '../logger.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export type ResponseSpec = { description: string; schema?: z.ZodType; contentType?: string };

export type RequestContext = {
  requestId: string;
  traceId: string;
  logger: Logger;
  headers: Readonly<Record<string, string | string[] | undefined>>;
};

export type RouteInput<P, Q, B> = { params: P; query: Q; body: B; context: RequestContext };

export type RouteResult = { status: number; body?: unknown; headers?: Record<string, string>; contentType?: string };

/**
 * One HTTP operation: its zod schemas validate the request and are also the source of the
 * OpenAPI document, so the two cannot drift.
 */
export type Route<P = unknown, Q = unknown, B = unknown> = {
  method: HttpMethod;
  /** koa-router syntax, relative to the service's base path: `/projects/:id`. */
  path: string;
  operationId: string;
  summary: string;
  tags?: readonly string[];
  /** Public routes need no credentials (health, readiness, metrics, login, JWKS). */
  public?: boolean;
  /** Operational routes are not logged at info level and stay out of request metrics' noise. */
  quiet?: boolean;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  responses: Readonly<Record<number, ResponseSpec>>;
  handler: (input: RouteInput<P, Q, B>) => Promise<RouteResult>;
};

/** Keeps the types of one route's schemas and handler tied together. */
export function defineRoute<P = undefined, Q = undefined, B = undefined>(route: Route<P, Q, B>): Route {
  return route as unknown as Route;
}
