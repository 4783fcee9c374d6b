import type { Kysely } from 'kysely';
import type { Result } from '@trellis/kernel/result';
import { z } from 'zod';
import { projectRole } from '@trellis/platform/auth/access';
import { decodeCursor, listOf, pageAnswer, pageQuery } from '@trellis/platform/http/pagination';
import { valueOr } from '@trellis/platform/http/results';
import { callerOf, defineRoute, projectOf, type Route } from '@trellis/platform/http/route';
import type { ObjectStore } from '@trellis/platform/object-store';
import type { Build } from '../../domain/build.js';
import { readLog } from '../postgres/build-log-store.js';
import type { Queries } from '../postgres/queries.js';
import type { Database } from '../postgres/schema.js';
import { BASE_PATH } from './base-path.js';
import { streamLog } from './log-stream.js';
import { buildNotFound, problemOf, type Rejection } from './problems.js';
import { buildSchema, buildView } from './views.js';

export { BASE_PATH };

export type RouteDeps = {
  db: Kysely<Database>;
  store: ObjectStore;
  queries: Queries;
  cancelBuild: (input: { projectId: string; buildId: string; by: string }) => Promise<Result<Build, Rejection>>;
  /** True once the HTTP server stops: open log streams end (the client reconnects). */
  closing: () => boolean;
  logPollMs?: number;
};

const TAGS = ['builds'];
const idParams = z.object({ id: z.uuid().describe('The build id') });
const listQuery = z.object({
  ...pageQuery,
  source: z.uuid().optional().describe('Only the builds of this source'),
  action: z.string().min(1).max(128).optional().describe('Only the builds of this action id'),
});
// Line numbers are PostgreSQL integers: a larger one would fail in the database, not match nothing.
const logQuery = z.object({ after: z.coerce.number().int().min(0).max(2_147_483_647).optional().describe('Only the lines after this line number') });

/** The builds of the caller's project: viewers read, developers cancel. Another project's build is not found. */
export function makeRoutes(deps: RouteDeps): Route[] {
  const find = async (projectId: string, id: string) => (await deps.queries.build(projectId, id)) ?? Promise.reject(buildNotFound());
  return [
    defineRoute({
      method: 'get', path: '/builds', operationId: 'actionBuilderListBuilds', summary: 'List the project\'s builds, newest first',
      tags: TAGS, access: projectRole('viewer'), query: listQuery,
      responses: { 200: { description: 'A page of builds', schema: listOf(buildSchema) } },
      handler: async ({ query, context }) => {
        const { projectId } = projectOf(context);
        const after = decodeCursor(query.cursor, z.tuple([z.iso.datetime(), z.uuid()]));
        const page = await deps.queries.builds(projectId, { source: query.source, action: query.action }, {
          limit: query.limit, after: after && { requestedAt: new Date(after[0]), id: after[1] },
        });
        return { status: 200, body: pageAnswer(page, buildView, (build) => [build.requestedAt.toISOString(), build.id]) };
      },
    }),
    defineRoute({
      method: 'get', path: '/builds/:id', operationId: 'actionBuilderGetBuild', summary: 'One build: its state, attempts, artifact or failure',
      tags: TAGS, access: projectRole('viewer'), params: idParams,
      responses: { 200: { description: 'The build', schema: buildSchema }, 404: { description: 'No such build in your current project' } },
      handler: async ({ params, context }) => ({ status: 200, body: buildView(await find(projectOf(context).projectId, params.id)) }),
    }),
    defineRoute({
      method: 'get', path: '/builds/:id/logs', operationId: 'actionBuilderGetBuildLogs', summary: 'The build\'s log; followed live with Accept: text/event-stream',
      description: 'Every line of the build\'s commands. As text/plain: the log so far. With `Accept: text/event-stream`: Server-Sent Events, one per line '
        + '(`id` is the line number; `Last-Event-ID` or `?after=` resumes), new lines as they come, and an `end` event (`{"state": ...}`) once the build has ended.',
      tags: TAGS, access: projectRole('viewer'), params: idParams, query: logQuery,
      responses: { 200: { description: 'The log (text/plain, or text/event-stream when asked)', schema: z.string(), contentType: 'text/plain' }, 404: { description: 'No such build in your current project' } },
      handler: async ({ params, query, context }) => {
        const build = await find(projectOf(context).projectId, params.id);
        const source = (after: number) => readLog(deps.db, deps.store, build, after);
        const lastEventId = Number(context.headers['last-event-id']);
        const after = query.after ?? (Number.isInteger(lastEventId) && lastEventId > 0 ? lastEventId : 0);
        if (String(context.headers['accept'] ?? '').includes('text/event-stream')) {
          return {
            status: 200, contentType: 'text/event-stream',
            // The connection ends with the stream: a stopping server need not wait for it to idle out.
            headers: { 'cache-control': 'no-cache', 'x-accel-buffering': 'no', connection: 'close' },
            body: streamLog(source, after, { pollMs: deps.logPollMs ?? 500, closing: deps.closing }),
          };
        }
        const page = await source(after);
        if (!page) throw buildNotFound();
        return { status: 200, contentType: 'text/plain; charset=utf-8', body: page.lines.map((line) => `${line.text}\n`).join('') };
      },
    }),
    defineRoute({
      method: 'post', path: '/builds/:id/cancel', operationId: 'actionBuilderCancelBuild', summary: 'Cancel a queued or running build',
      description: 'A queued build ends canceled at once; a running one has its processes stopped and ends canceled shortly after (ActionBuildFailed with canceled=true).',
      tags: TAGS, access: projectRole('developer'), params: idParams,
      responses: { 202: { description: 'Canceled, or stopping', schema: buildSchema }, 404: { description: 'No such build in your current project' }, 409: { description: 'The build has ended' } },
      handler: async ({ params, context }) => {
        const caller = callerOf(context);
        const by = caller.username ?? `API key ${caller.credentialId}`;
        const build = valueOr(await deps.cancelBuild({ projectId: projectOf(context).projectId, buildId: params.id, by }), problemOf);
        return { status: 202, body: buildView(build) };
      },
    }),
  ];
}
