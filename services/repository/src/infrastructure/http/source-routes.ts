import { z } from 'zod';
import { projectRole } from '@trellis/platform/auth/access';
import { decodeCursor, listOf, pageAnswer, pageQuery } from '@trellis/platform/http/pagination';
import { valueOr } from '@trellis/platform/http/results';
import { defineRoute, projectOf, type Route } from '@trellis/platform/http/route';
import { problemOf } from './problems.js';
import type { RouteDeps } from './route-deps.js';
import { changeSourceBody, createSourceBody, sourceParams } from './schemas.js';
import { scanDetailView, sourceDetailSchema, sourceListItemSchema, sourceListItemView, sourceSchema, sourceView } from './views.js';

const TAGS = ['sources'];
const notFound = { description: 'source_not_found: no such source in your current project' };
const managed = 'managed_source: the standard library is managed by Trellis (updated with Trellis)';
const invalid = { description: 'A body that breaks the rules (name, URL scheme, branch, credentials), with the reason' };

/** The git sources of the caller's current project. */
export function sourceRoutes(deps: RouteDeps, basePath: string): Route[] {
  return [
    defineRoute({
      method: 'get', path: '/sources', operationId: 'repositoryListSources', summary: 'List the project\'s git sources, oldest first, each with its last scan',
      tags: TAGS, access: projectRole('viewer'), query: z.object(pageQuery),
      responses: { 200: { description: 'A page of sources', schema: listOf(sourceListItemSchema) } },
      handler: async ({ query, context }) => {
        const { projectId } = projectOf(context);
        const after = decodeCursor(query.cursor, z.tuple([z.iso.datetime({ offset: true }), z.uuid()]));
        const page = await deps.queries.sources(projectId, { limit: query.limit, after: after && { createdAt: new Date(after[0]), id: after[1] } });
        return { status: 200, body: pageAnswer(page, sourceListItemView, (item) => [item.source.createdAt.toISOString(), item.source.id]) };
      },
    }),
    defineRoute({
      method: 'post', path: '/sources', operationId: 'repositoryCreateSource',
      summary: 'Add a git source (https, http with basic auth, or file://); its password or token is stored sealed and never shown again',
      tags: TAGS, access: projectRole('developer'), body: createSourceBody,
      responses: { 201: { description: 'Created (without its secret)', schema: sourceSchema }, 400: invalid, 409: { description: 'source_name_taken' } },
      handler: async ({ body, context }) => {
        const { projectId, caller } = projectOf(context);
        const source = valueOr(await deps.useCases.createSource({ ...body, projectId, createdBy: caller.userId ?? caller.credentialId }), problemOf);
        return { status: 201, body: sourceView(source), headers: { location: `${basePath}/sources/${source.id}` } };
      },
    }),
    defineRoute({
      method: 'get', path: '/sources/:id', operationId: 'repositoryGetSource',
      summary: 'A source with its last scan: status, commit, the actions found (with their build status) and every problem with its file and line',
      tags: TAGS, access: projectRole('viewer'), params: sourceParams,
      responses: { 200: { description: 'The source', schema: sourceDetailSchema }, 404: notFound },
      handler: async ({ params, context }) => {
        const { projectId } = projectOf(context);
        const found = await deps.queries.source(projectId, params.id);
        if (!found) throw problemOf({ type: 'SourceNotFound' });
        return { status: 200, body: { ...sourceView(found.source), last_scan: found.lastScan && scanDetailView(found.lastScan) } };
      },
    }),
    defineRoute({
      method: 'patch', path: '/sources/:id', operationId: 'repositoryUpdateSource',
      summary: 'Rename a source, move it, change its branch or its credentials (null removes them)',
      tags: TAGS, access: projectRole('developer'), params: sourceParams, body: changeSourceBody,
      responses: { 200: { description: 'The changed source', schema: sourceSchema }, 400: invalid, 404: notFound, 409: { description: `source_name_taken, or ${managed}` } },
      handler: async ({ params, body, context }) => {
        const { projectId } = projectOf(context);
        const source = valueOr(await deps.useCases.changeSource({ projectId, sourceId: params.id, patch: body }), problemOf);
        return { status: 200, body: sourceView(source) };
      },
    }),
    defineRoute({
      method: 'delete', path: '/sources/:id', operationId: 'repositoryDeleteSource', summary: 'Delete a source with its scans, build records and stored tarballs',
      tags: TAGS, access: projectRole('developer'), params: sourceParams,
      responses: { 204: { description: 'Deleted' }, 404: notFound, 409: { description: managed } },
      handler: async ({ params, context }) => {
        const { projectId } = projectOf(context);
        valueOr(await deps.useCases.deleteSource({ projectId, sourceId: params.id }), problemOf);
        return { status: 204 };
      },
    }),
  ];
}
