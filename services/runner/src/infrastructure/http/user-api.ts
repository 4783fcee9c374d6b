import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { JsonValue } from '@trellis/kernel/io';
import { roleAllows } from '@trellis/platform/auth/access';
import type { Authenticator } from '@trellis/platform/auth/authenticate';
import { HttpProblem } from '@trellis/platform/http/problem';
import { PUBLIC } from '@trellis/platform/auth/access';
import { defineRoute, type RequestContext, type Route, type RouteResult, type Upload } from '@trellis/platform/http/route';
import type { ObjectStore } from '@trellis/platform/object-store';
import { readDocument, type Trigger } from '@trellis/workflow-language/document';
import type { Engine, RunEnd } from '../../application/engine-port.js';
import type { RunObjects } from '../../application/run-objects.js';
import { take, type Bucket } from '../../domain/rate-limit.js';
import { checkTriggerInputs, type InputFinding, type InputSource, type QueryValue } from '../../domain/trigger-inputs.js';
import type { RunQueries, ServedVersion } from '../postgres/run-queries.js';
import { accepted, type RunAnswers } from './run-answers.js';
import { readTriggerForm, removeQuietly } from './trigger-form.js';
import { userApiDocument } from './user-api-openapi.js';

/*
 * `/user-api/<project name>/<path>`: a deployed HTTP trigger. The project is found by name and
 * the serving workflow by path; neither found is one answer (404 not_found), so nobody learns
 * which projects exist. Then the trigger's auth, the workflow's rate limit, its inputs (a JSON
 * body, a query string, or a multipart form whose files are stored under the new run before it
 * starts), and the run: awaited up to the trigger's timeout (200 results), or 202 with where to
 * read it later.
 */

export const USER_API_BASE = '/user-api';

type HttpTrigger = Extract<Trigger, { type: 'http' }>;

export type UserApiDeps = {
  queries: Pick<RunQueries, 'servedAt' | 'servedBy'>;
  engine: Engine;
  authenticate: Authenticator;
  /** Requests a second per workflow, and how many may come at once. */
  rate: { rate: number; burst: number };
  answers: Pick<RunAnswers, 'answerOfEnd'>;
  /** Where the files of a multipart request are written. */
  store: ObjectStore;
  objects: Pick<RunObjects, 'keyOf'>;
  /** The largest multipart request (413 beyond). */
  maxUploadBytes: number;
  now?: () => number;
};

const notFound = () => new HttpProblem(404, 'not_found', 'Not found', 'No HTTP trigger answers at this path.');

/** The http trigger of a version, read once per version. */
function makeTriggerCache() {
  const cache = new Map<string, HttpTrigger | null>();
  return (served: ServedVersion): HttpTrigger | undefined => {
    const key = `${served.workflowId}@${served.version}`;
    let trigger = cache.get(key);
    if (trigger === undefined) {
      const read = readDocument(served.document).trigger;
      trigger = read?.type === 'http' ? read : null;
      cache.set(key, trigger);
    }
    return trigger ?? undefined;
  };
}

/** Per workflow token buckets, in this process. */
function makeRateLimiter(limit: UserApiDeps['rate'], now: () => number) {
  const buckets = new Map<string, Bucket>();
  return (workflowId: string): void => {
    const taken = take(buckets.get(workflowId), now(), limit);
    buckets.set(workflowId, taken.bucket);
    if (!taken.allowed) {
      throw new HttpProblem(429, 'rate_limited', 'Too many requests', 'This workflow takes no more requests right now; retry later.', undefined,
        { 'retry-after': String(Math.max(1, Math.ceil(taken.retryAfterMs / 1000))) });
    }
  };
}

/** `required`: a credential of this very project (another project's is as unknown as a missing path), operator or above. */
async function checkAuth(trigger: HttpTrigger, served: ServedVersion, context: RequestContext, authenticate: Authenticator): Promise<void> {
  if (trigger.auth === 'none') return;
  const header = context.headers['authorization'];
  const outcome = await authenticate(typeof header === 'string' ? header : undefined);
  if (!outcome.ok) {
    throw new HttpProblem(401, outcome.reason === 'expired' ? 'token_expired' : 'unauthenticated', 'Authentication required',
      'This trigger takes an access token or an API key of its project as a Bearer credential.', undefined,
      { 'www-authenticate': `Bearer realm="trellis"${outcome.reason === 'missing' ? '' : ', error="invalid_token"'}` });
  }
  const { caller } = outcome;
  context.caller = caller;
  if (caller.projectId !== served.projectId || caller.role === null) throw notFound();
  if (!roleAllows(caller.role, 'operator')) throw new HttpProblem(403, 'forbidden', 'Forbidden', 'Calling this trigger requires the operator role or above in the project.');
}

const idempotencyKey = /^[\x21-\x7e]{1,255}$/;

export function idempotencyKeyOf(context: RequestContext): string | undefined {
  const header = context.headers['idempotency-key'];
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !idempotencyKey.test(header)) {
    throw new HttpProblem(400, 'invalid_idempotency_key', 'Invalid Idempotency-Key', 'An Idempotency-Key is 1 to 255 visible ASCII characters.');
  }
  return header;
}

export function inputProblem(findings: readonly InputFinding[], where: InputSource): HttpProblem {
  return new HttpProblem(400, 'invalid_inputs', 'Invalid inputs', `${findings.length} input(s) do not match the trigger's declaration.`,
    findings.map((finding) => ({ path: `${where}.${finding.input}`, message: finding.message, code: finding.code })));
}

/** The run's end, or undefined once `timeoutMs` passes first. */
async function within(finished: Promise<RunEnd>, timeoutMs: number): Promise<RunEnd | undefined> {
  if (timeoutMs <= 0) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    return await Promise.race([finished, late]);
  } finally {
    clearTimeout(timer);
  }
}

const params = z.object({ project: z.string(), path: z.string() });
const queryShape = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

export function makeUserApiRoutes(deps: UserApiDeps): Route[] {
  const triggerOf = makeTriggerCache();
  const limit = makeRateLimiter(deps.rate, deps.now ?? Date.now);

  /** The inputs of a request, and the objects its files were written to (removed when no run keeps them). */
  type Read = { given: Readonly<Record<string, JsonValue | QueryValue>>; where: InputSource; objects: readonly string[] };

  const call = async (project: string, path: string, context: RequestContext, read: (trigger: HttpTrigger, served: ServedVersion, runId: string) => Promise<Read>): Promise<RouteResult> => {
    const served = await deps.queries.servedAt(project, path);
    const trigger = served && triggerOf(served);
    if (!served || !trigger) throw notFound();
    await checkAuth(trigger, served, context, deps.authenticate);
    limit(served.workflowId);
    const key = idempotencyKeyOf(context);
    const runId = randomUUID();
    const { given, where, objects } = await read(trigger, served, runId);
    const checked = checkTriggerInputs(trigger.inputs, given, where);
    if (!checked.ok) {
      await removeQuietly(deps.store, objects);
      throw inputProblem(checked.error, where);
    }
    const started = await deps.engine.start({
      projectId: served.projectId, workflowId: served.workflowId, triggerType: 'http', triggerOutputs: checked.value,
      ...(key === undefined ? {} : { idempotencyKey: key }), traceId: context.traceId, runId,
    }).catch(async (error: unknown) => {
      await removeQuietly(deps.store, objects);
      throw error;
    });
    if (!started.ok || started.value.existing) await removeQuietly(deps.store, objects);
    if (!started.ok) {
      switch (started.error.type) {
        case 'NotServing':
          throw notFound();
        case 'Overloaded':
          throw new HttpProblem(503, 'overloaded', 'Overloaded', 'The runner takes no new run right now; retry later.', undefined, { 'retry-after': '1' });
      }
    }
    const end = await within(started.value.finished, trigger.timeoutMs);
    if (!end) return accepted(started.value.runId);
    const answer = await deps.answers.answerOfEnd(end, served.projectId);
    // A file answer carries no JSON to name its run in: every answer names it in a header.
    return { ...answer, headers: { ...answer.headers, 'trellis-run-id': end.runId } };
  };

  /** `contentType`: the whole header (its boundary parameter included). */
  const fromForm = (upload: Upload, contentType: string) => async (trigger: HttpTrigger, served: ServedVersion, runId: string): Promise<Read> => {
    const form = await readTriggerForm(deps.store, upload.stream, contentType, trigger.inputs,
      (input) => deps.objects.keyOf(served.projectId, runId, 'trigger', input));
    return { given: form.given, where: 'form', objects: form.objects };
  };

  return [
    defineRoute({
      method: 'get', path: '/:project/openapi.json', operationId: 'userApiOpenApi', access: PUBLIC,
      summary: 'The OpenAPI document of the project\'s HTTP triggers',
      params: z.object({ project: z.string() }),
      responses: { 200: { description: 'OpenAPI 3.1 document' } },
      handler: async ({ params: { project } }) => {
        const served = (await deps.queries.servedBy(project))
          .flatMap((version) => {
            const trigger = triggerOf(version);
            return trigger ? [{ workflowName: version.name, path: version.httpPath, trigger, document: version.document, actions: version.actions }] : [];
          });
        // A project that serves nothing looks like one that does not exist.
        if (served.length === 0) throw notFound();
        return { status: 200, body: userApiDocument(project, served) };
      },
    }),
    defineRoute({
      // Quiet: each call is recorded as a run and in the gateway's access log; a log line per call
      // was 3% of the runner's CPU per one-step run (issue 13). Failures are still logged.
      method: 'post', path: '/:project/*path', operationId: 'userApiCall', access: PUBLIC, quiet: true,
      summary: 'Runs the workflow serving this path with the JSON body (or a multipart form, for file inputs) as its inputs',
      params, body: z.unknown(),
      upload: { description: 'A multipart/form-data form: a file part per file input, a text field per other input', maxBytes: deps.maxUploadBytes, mediaTypes: ['multipart/form-data'] },
      responses: { 200: { description: 'The results (a single file result is the file itself)' }, 202: { description: 'The run goes on' } },
      handler: async ({ params: { project, path }, body, upload, context }) => {
        if (upload) return call(project, path, context, fromForm(upload, String(context.headers['content-type'] ?? upload.contentType)));
        if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
          throw new HttpProblem(400, 'invalid_inputs', 'Invalid inputs', 'Send the inputs as a JSON object.', [{ path: 'body', message: 'Expected a JSON object' }]);
        }
        const given = (body ?? {}) as Record<string, JsonValue>;
        return call(project, path, context, async () => ({ given, where: 'body', objects: [] }));
      },
    }),
    defineRoute({
      method: 'get', path: '/:project/*path', operationId: 'userApiCallGet', access: PUBLIC, quiet: true,
      summary: 'Runs the workflow serving this path with the query string as its inputs',
      params, query: queryShape,
      responses: { 200: { description: 'The results' }, 202: { description: 'The run goes on' } },
      handler: async ({ params: { project, path }, query, context }) => call(project, path, context, async () => ({ given: query, where: 'query', objects: [] })),
    }),
  ];
}
