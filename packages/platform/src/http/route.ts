import type { Readable } from 'node:stream';
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

/** A route that takes a file: the body is streamed to the handler, unread, whatever its type. */
export type UploadBody = {
  description: string;
  maxBytes: number;
  /** Stream only requests of these media types (e.g. multipart/form-data); others are read as the route's JSON or text body. Every type when absent. */
  mediaTypes?: readonly string[];
};

/** The request body of an upload route, as a stream that fails with a 413 once it passes `maxBytes`. */
export type Upload = { stream: Readable; contentType: string; declaredLength: number | undefined };

/** Media types a route reads as text (the raw body, UTF-8), e.g. YAML; JSON stays `body`'s. */
export type TextBody = { mediaTypes: readonly string[]; description: string };

/**
 * What a handler gets. On a route that declares `text`, a request in one of its media types gives
 * `text` (the raw body) and leaves `body` undefined (the JSON schema is not applied); a route with
 * only `text` always gets `text`.
 */
export type RouteInput<P, Q, B, T extends TextBody | undefined = undefined> = {
  params: P;
  query: Q;
  body: T extends TextBody ? B | undefined : B;
  text: T extends TextBody ? ([B] extends [undefined] ? string : string | undefined) : undefined;
  /** Only on a route that declares `upload`. */
  upload: Upload | undefined;
  context: RequestContext;
};

export type RouteResult = { status: number; body?: unknown; headers?: Record<string, string>; contentType?: string };

/**
 * One HTTP operation: its zod schemas validate the request and are also the source of the
 * OpenAPI document, so the two cannot drift.
 */
export type Route<P = unknown, Q = unknown, B = unknown, T extends TextBody | undefined = TextBody | undefined> = {
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
  /** The JSON body (`application/json` or any `+json` type). */
  body?: z.ZodType<B>;
  /**
   * Text bodies the route also (or only) takes, in these media types; any other content type
   * answers 415. Limited to the app's `bodyLimit`, as JSON is.
   */
  text?: T;
  /** The body is a file, streamed to the handler (`input.upload`) instead of parsed. */
  upload?: UploadBody;
  responses: Readonly<Record<number, ResponseSpec>>;
  handler: (input: RouteInput<P, Q, B, T>) => Promise<RouteResult>;
};

/** Keeps the types of one route's schemas and handler tied together. */
export function defineRoute<P = undefined, Q = undefined, B = undefined, T extends TextBody | undefined = undefined>(route: Route<P, Q, B, T>): Route {
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
