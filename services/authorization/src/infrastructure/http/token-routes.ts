import { z } from 'zod';
import { AUTHENTICATED, PUBLIC } from '@trellis/platform/auth/access';
import { defineRoute, type Route } from '@trellis/platform/http/route';
import { metaOf, personOf } from './caller.js';
import { refuse } from './problems.js';
import type { RouteDeps } from './route-deps.js';
import { tokenPairSchema, tokenPairView } from './views.js';

const TAGS = ['tokens'];
const loginBody = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
  project_id: z.uuid().nullable().optional().describe('The project the token is for; default: your first project by name'),
});
const refreshBody = z.strictObject({ refresh_token: z.string().min(1).max(512) });
const switchBody = z.strictObject({ project_id: z.uuid() });
const logoutBody = z.strictObject({ refresh_token: z.string().min(1).max(512).optional() }).optional();

const jwkSchema = z.object({ kty: z.string(), crv: z.string(), x: z.string(), kid: z.string(), alg: z.string(), use: z.string() });

/** Logging in and out, refreshing and switching projects, and the published keys. */
export function tokenRoutes(deps: RouteDeps, basePath: string): Route[] {
  return [
    defineRoute({
      method: 'post', path: '/login', operationId: 'authorizationLogin', summary: 'Log in with a username and password',
      tags: TAGS, access: PUBLIC, body: loginBody,
      responses: {
        200: { description: 'A new session', schema: tokenPairSchema },
        401: { description: 'Wrong username or password (one answer for both)' },
        404: { description: 'The requested project is not one of yours' },
        429: { description: 'Too many failed attempts; see Retry-After' },
      },
      handler: async ({ body, context }) => {
        const result = await deps.useCases.logIn({ username: body.username, password: body.password, projectId: body.project_id ?? null, meta: metaOf(context) });
        if (!result.ok) return refuse(result.error, context, `${basePath}/login`);
        return { status: 200, body: tokenPairView(result.value), headers: { 'cache-control': 'no-store' } };
      },
    }),
    defineRoute({
      method: 'post', path: '/token/refresh', operationId: 'authorizationRefreshToken', summary: 'Trade a refresh token for a new token pair',
      tags: TAGS, access: PUBLIC, body: refreshBody,
      responses: { 200: { description: 'A new pair; the refresh token given is used up', schema: tokenPairSchema }, 401: { description: 'Invalid, expired, revoked or reused refresh token' } },
      handler: async ({ body, context }) => {
        const result = await deps.useCases.refreshSession({ refreshToken: body.refresh_token, meta: metaOf(context) });
        if (!result.ok) return refuse(result.error, context, `${basePath}/token/refresh`);
        return { status: 200, body: tokenPairView(result.value), headers: { 'cache-control': 'no-store' } };
      },
    }),
    defineRoute({
      method: 'post', path: '/token/switch', operationId: 'authorizationSwitchProject', summary: 'Get a token pair for another of your projects',
      tags: TAGS, access: AUTHENTICATED, body: switchBody,
      responses: { 200: { description: 'A new pair in the same session', schema: tokenPairSchema }, 404: { description: 'Not one of your projects' } },
      handler: async ({ body, context }) => {
        const { actor, sessionId } = personOf(context);
        const result = await deps.useCases.switchProject({ actor, sessionId, projectId: body.project_id, meta: metaOf(context) });
        if (!result.ok) return refuse(result.error, context, `${basePath}/token/switch`);
        return { status: 200, body: tokenPairView(result.value), headers: { 'cache-control': 'no-store' } };
      },
    }),
    defineRoute({
      method: 'post', path: '/logout', operationId: 'authorizationLogout', summary: 'End the session of this access token (and of a given refresh token)',
      tags: TAGS, access: AUTHENTICATED, body: logoutBody,
      responses: { 204: { description: 'Ended (or already ended)' } },
      handler: async ({ body, context }) => {
        const { actor, sessionId } = personOf(context);
        await deps.useCases.logOut({ actor, sessionId, refreshToken: body?.refresh_token, meta: metaOf(context) });
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get', path: '/.well-known/jwks.json', operationId: 'authorizationJwks', summary: 'The public keys that verify access tokens',
      tags: TAGS, access: PUBLIC, quiet: true,
      responses: { 200: { description: 'JSON Web Key Set', schema: z.object({ keys: z.array(jwkSchema) }) } },
      handler: async () => ({ status: 200, body: await deps.jwks(), headers: { 'cache-control': 'public, max-age=60' } }),
    }),
  ];
}
