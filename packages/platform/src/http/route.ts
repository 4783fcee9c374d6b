import type { z } from 'zod';
import type { Access, Caller, Role } from '../auth/access.js';
import type { Logger } from '../logger.js';
import { HttpProblem } from './problem.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export type ResponseSpec = { description: string; schema?: z.ZodType; contentType?: string };

export type RequestContext = {
  requestId: string;
  traceId: string;
  logger: Logger;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Null only on public routes. */
  caller: Caller | null;
  /** The client's address (behind the gateway: from X-Forwarded-For). */
  clientIp: string;
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
  /** Longer explanation for the OpenAPI document (behaviour, consistency, limits). */
  description?: string;
  tags?: readonly string[];
  /** Who may call it; checked before the request is even validated. */
  access: Access;
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

/** The caller of a non-public route (the edge has already refused anyone else). */
export function callerOf(context: RequestContext): Caller {
  if (!context.caller) throw new HttpProblem(401, 'unauthenticated', 'Authentication required');
  return context.caller;
}

/** The caller's current project and role, on a project route. */
export function projectOf(context: RequestContext): { projectId: string; role: Role; caller: Caller } {
  const caller = callerOf(context);
  if (!caller.projectId || !caller.role) throw new HttpProblem(403, 'no_project', 'No current project', 'Switch to a project first.');
  return { projectId: caller.projectId, role: caller.role, caller };
}
