import { z } from 'zod';
import { ADMIN } from '@trellis/platform/auth/access';
import { HttpProblem } from '@trellis/platform/http/problem';
import { defineRoute, type Route } from '@trellis/platform/http/route';
import { actorOf, metaOf } from './caller.js';
import { decodeCursor, listOf, pageAnswer, pageQuery } from '@trellis/platform/http/pagination';
import { refuse } from './problems.js';
import type { RouteDeps } from './route-deps.js';
import { idParams, userSchema, userView } from './views.js';

const TAGS = ['users'];
const userParams = z.object({ userId: idParams.userId });
const createBody = z.strictObject({
  username: z.string().max(64),
  password: z.string().max(1024),
  display_name: z.string().max(400).optional(),
  email: z.string().max(254).nullable().optional(),
  is_admin: z.boolean().optional(),
});
const updateBody = z.strictObject({
  display_name: z.string().max(400).optional(),
  email: z.string().max(254).nullable().optional(),
  disabled: z.boolean().optional().describe('A disabled user cannot log in; their sessions end'),
  is_admin: z.boolean().optional(),
  password: z.string().max(1024).optional().describe('A password reset; the user\'s sessions end'),
});

/** Account administration: instance admins only. */
export function userRoutes(deps: RouteDeps, basePath: string): Route[] {
  const path = (id: string) => `${basePath}/users/${id}`;
  return [
    defineRoute({
      method: 'get', path: '/users', operationId: 'authorizationListUsers', summary: 'List users by username',
      tags: TAGS, access: ADMIN, query: z.object(pageQuery),
      responses: { 200: { description: 'A page of users', schema: listOf(userSchema) } },
      handler: async ({ query }) => {
        const after = decodeCursor(query.cursor, z.tuple([z.string()]));
        const page = await deps.queries.users({ limit: query.limit, after: after?.[0] });
        return { status: 200, body: pageAnswer(page, userView, (user) => [user.username]) };
      },
    }),
    defineRoute({
      method: 'post', path: '/users', operationId: 'authorizationCreateUser', summary: 'Create a user',
      tags: TAGS, access: ADMIN, body: createBody,
      responses: { 201: { description: 'Created', schema: userSchema }, 409: { description: 'Username taken' } },
      handler: async ({ body, context }) => {
        const result = await deps.useCases.createUser({
          actor: actorOf(context), username: body.username, password: body.password, displayName: body.display_name,
          email: body.email, isAdmin: body.is_admin, meta: metaOf(context),
        });
        if (!result.ok) return refuse(result.error, context, `${basePath}/users`);
        return { status: 201, body: userView(result.value), headers: { location: path(result.value.id) } };
      },
    }),
    defineRoute({
      method: 'get', path: '/users/:userId', operationId: 'authorizationGetUser', summary: 'Get a user',
      tags: TAGS, access: ADMIN, params: userParams,
      responses: { 200: { description: 'The user', schema: userSchema } },
      handler: async ({ params }) => {
        const user = await deps.queries.user(params.userId);
        if (!user) throw new HttpProblem(404, 'user_not_found', 'User not found');
        return { status: 200, body: userView(user) };
      },
    }),
    defineRoute({
      method: 'patch', path: '/users/:userId', operationId: 'authorizationUpdateUser', summary: 'Change a user (display name, email, disabled, admin, password reset)',
      tags: TAGS, access: ADMIN, params: userParams, body: updateBody,
      responses: { 200: { description: 'Updated', schema: userSchema }, 409: { description: 'It would leave no enabled administrator' } },
      handler: async ({ params, body, context }) => {
        const result = await deps.useCases.updateUser({
          actor: actorOf(context), userId: params.userId, meta: metaOf(context),
          changes: { displayName: body.display_name, email: body.email, disabled: body.disabled, isAdmin: body.is_admin, password: body.password },
        });
        if (!result.ok) return refuse(result.error, context, path(params.userId));
        return { status: 200, body: userView(result.value) };
      },
    }),
    defineRoute({
      method: 'delete', path: '/users/:userId', operationId: 'authorizationDeleteUser', summary: 'Delete a user with their memberships and sessions',
      tags: TAGS, access: ADMIN, params: userParams,
      responses: { 204: { description: 'Deleted' }, 409: { description: 'Yourself, or the last enabled administrator' } },
      handler: async ({ params, context }) => {
        const result = await deps.useCases.deleteUser({ actor: actorOf(context), userId: params.userId, meta: metaOf(context) });
        if (!result.ok) return refuse(result.error, context, path(params.userId));
        return { status: 204 };
      },
    }),
  ];
}
