import { z } from 'zod';
import { projectRole } from '@trellis/platform/auth/access';
import { decodeCursor, listOf, pageAnswer, pageQuery } from '@trellis/platform/http/pagination';
import { valueOr } from '@trellis/platform/http/results';
import { defineRoute, projectOf, type Route, type RouteResult } from '@trellis/platform/http/route';
import type { deleteActionVersion } from '../../application/delete-action-version.js';
import type { Logo } from '../../domain/library-action.js';
import type { LibraryQueries } from '../postgres/queries.js';
import { actionNotFound, problemOf } from './problems.js';
import { actionParams, actionWithVersions, itemView, libraryItem, libraryQuery, versionParams } from './schemas.js';

const TAGS = ['library'];

export type LibraryRouteDeps = {
  basePath: string;
  queries: LibraryQueries;
  deleteActionVersion: (input: Parameters<typeof deleteActionVersion>[1]) => ReturnType<typeof deleteActionVersion>;
};

/** Logos are user content: served as images that cannot run script (an SVG opened directly included). */
function logoAnswer(logo: Logo | undefined, what: string): RouteResult {
  if (!logo) throw actionNotFound(what);
  return {
    status: 200,
    body: Buffer.from(logo.bytes),
    contentType: logo.mediaType,
    headers: { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox", 'x-content-type-options': 'nosniff', 'cache-control': 'private, max-age=300' },
  };
}

export function makeLibraryRoutes(deps: LibraryRouteDeps): Route[] {
  const { basePath, queries } = deps;
  return [
    defineRoute({
      method: 'get', path: '/actions', operationId: 'studioListActions', tags: TAGS, access: projectRole('viewer'),
      summary: 'The project\'s library: the newest version of each built action, by id, with search and category filters.',
      query: z.object({ ...pageQuery, ...libraryQuery }),
      responses: { 200: { description: 'One page of actions', schema: listOf(libraryItem) } },
      handler: async ({ query, context }) => {
        const { projectId } = projectOf(context);
        const after = decodeCursor(query.cursor, z.tuple([z.string()]));
        const page = await queries.latest(projectId, { search: query.search, category: query.category, limit: query.limit, after: after?.[0] });
        return { status: 200, body: pageAnswer(page, (action) => itemView(action, basePath), (action) => [action.actionId]) };
      },
    }),
    defineRoute({
      method: 'get', path: '/actions/:actionId', operationId: 'studioGetAction', tags: TAGS, access: projectRole('viewer'),
      summary: 'One action of the library with all its versions (newest build first).',
      params: actionParams,
      responses: { 200: { description: 'The action', schema: actionWithVersions }, 404: { description: 'action_not_found' } },
      handler: async ({ params, context }) => {
        const versions = await queries.versions(projectOf(context).projectId, params.actionId);
        const newest = versions[0];
        if (!newest) throw actionNotFound(params.actionId);
        return { status: 200, body: { ...itemView(newest, basePath), versions: versions.map((v) => itemView(v, basePath)) } };
      },
    }),
    defineRoute({
      method: 'get', path: '/actions/:actionId/versions/:version', operationId: 'studioGetActionVersion', tags: TAGS, access: projectRole('viewer'),
      summary: 'One version of an action.',
      params: versionParams,
      responses: { 200: { description: 'The version', schema: libraryItem }, 404: { description: 'action_version_not_found' } },
      handler: async ({ params, context }) => {
        const action = await queries.version(projectOf(context).projectId, params.actionId, params.version);
        if (!action) throw problemOf({ type: 'ActionVersionNotFound', actionId: params.actionId, version: params.version });
        return { status: 200, body: itemView(action, basePath) };
      },
    }),
    defineRoute({
      method: 'delete', path: '/actions/:actionId/versions/:version', operationId: 'studioDeleteActionVersion', tags: TAGS, access: projectRole('developer'),
      summary: 'Removes a version from the library.',
      params: versionParams,
      responses: { 204: { description: 'Deleted' }, 404: { description: 'action_version_not_found' } },
      handler: async ({ params, context }) => {
        valueOr(await deps.deleteActionVersion({ projectId: projectOf(context).projectId, actionId: params.actionId, version: params.version }), problemOf);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get', path: '/actions/:actionId/logo', operationId: 'studioGetActionLogo', tags: TAGS, access: projectRole('viewer'),
      summary: 'The logo of the action\'s newest version (an image).',
      params: actionParams,
      responses: { 200: { description: 'The logo', contentType: 'image/*' }, 404: { description: 'action_not_found: no such action, or no logo' } },
      handler: async ({ params, context }) => logoAnswer(await queries.logo(projectOf(context).projectId, params.actionId), params.actionId),
    }),
    defineRoute({
      method: 'get', path: '/actions/:actionId/versions/:version/logo', operationId: 'studioGetActionVersionLogo', tags: TAGS, access: projectRole('viewer'),
      summary: 'The logo of one version (an image).',
      params: versionParams,
      responses: { 200: { description: 'The logo', contentType: 'image/*' }, 404: { description: 'action_not_found: no such version, or no logo' } },
      handler: async ({ params, context }) =>
        logoAnswer(await queries.logo(projectOf(context).projectId, params.actionId, params.version), `${params.actionId}@${params.version}`),
    }),
  ];
}
