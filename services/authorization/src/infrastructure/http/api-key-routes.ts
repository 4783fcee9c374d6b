import { z } from 'zod';
import { projectRole } from '@trellis/platform/auth/access';
import { defineRoute, type Route } from '@trellis/platform/http/route';
import { actorOf, metaOf } from './caller.js';
import { decodeCursor, listOf, pageAnswer, pageQuery } from '@trellis/platform/http/pagination';
import { refuse } from './problems.js';
import type { RouteDeps } from './route-deps.js';
import { assertProjectInScope } from './scope.js';
import { apiKeySchema, apiKeyView, idParams, roleSchema } from './views.js';

const TAGS = ['api-keys'];
const projectParams = z.object({ projectId: idParams.projectId });
const keyParams = z.object({ projectId: idParams.projectId, keyId: idParams.keyId });
const createBody = z.strictObject({
  name: z.string().max(400),
  role: roleSchema.describe('What the key may do in the project'),
  expires_at: z.iso.datetime({ offset: true }).nullable().optional().describe('When it stops working; absent or null: never'),
});
const createdSchema = apiKeySchema.extend({ key: z.string().describe('The secret, shown this once: store it now') });

/** A project's API keys: its owners only (the token's current project must be this one). */
export function apiKeyRoutes(deps: RouteDeps, basePath: string): Route[] {
  const path = (projectId: string, keyId?: string) => `${basePath}/projects/${projectId}/api-keys${keyId ? `/${keyId}` : ''}`;
  return [
    defineRoute({
      method: 'get', path: '/projects/:projectId/api-keys', operationId: 'authorizationListApiKeys', summary: 'List the project\'s API keys, newest first (never their secrets)',
      tags: TAGS, access: projectRole('owner'), params: projectParams, query: z.object(pageQuery),
      responses: { 200: { description: 'A page of keys', schema: listOf(apiKeySchema) }, 404: { description: 'Not your current project' } },
      handler: async ({ params, query, context }) => {
        await assertProjectInScope(deps, context, params.projectId, 'owner', { adminMay: false });
        const after = decodeCursor(query.cursor, z.tuple([z.iso.datetime(), z.uuid()]));
        const page = await deps.queries.apiKeys(params.projectId, { limit: query.limit, after: after && { createdAt: new Date(after[0]), id: after[1] } });
        return { status: 200, body: pageAnswer(page, apiKeyView, (key) => [key.createdAt.toISOString(), key.id]) };
      },
    }),
    defineRoute({
      method: 'post', path: '/projects/:projectId/api-keys', operationId: 'authorizationCreateApiKey', summary: 'Create an API key; the answer holds the secret, once',
      tags: TAGS, access: projectRole('owner'), params: projectParams, body: createBody,
      responses: { 201: { description: 'Created', schema: createdSchema }, 404: { description: 'Not your current project' } },
      handler: async ({ params, body, context }) => {
        const result = await deps.useCases.issueApiKey({
          actor: actorOf(context), projectId: params.projectId, name: body.name, role: body.role,
          expiresAt: body.expires_at ? new Date(body.expires_at) : null, meta: metaOf(context),
        });
        if (!result.ok) return refuse(result.error, context, path(params.projectId));
        return {
          status: 201,
          body: { ...apiKeyView(result.value.apiKey), key: result.value.key },
          headers: { location: path(params.projectId, result.value.apiKey.id), 'cache-control': 'no-store' },
        };
      },
    }),
    defineRoute({
      method: 'delete', path: '/projects/:projectId/api-keys/:keyId', operationId: 'authorizationRevokeApiKey', summary: 'Revoke an API key (every service refuses it soon after)',
      tags: TAGS, access: projectRole('owner'), params: keyParams,
      responses: { 204: { description: 'Revoked (or already revoked)' }, 404: { description: 'No such key in your current project' } },
      handler: async ({ params, context }) => {
        const result = await deps.useCases.revokeApiKey({ actor: actorOf(context), projectId: params.projectId, keyId: params.keyId, meta: metaOf(context) });
        if (!result.ok) return refuse(result.error, context, path(params.projectId, params.keyId));
        return { status: 204 };
      },
    }),
  ];
}
