import { z } from 'zod';
import { projectRole } from '@trellis/platform/auth/access';
import { defineRoute, type Route } from '@trellis/platform/http/route';
import { actorOf, metaOf } from './caller.js';
import { decodeCursor, listOf, pageAnswer, pageQuery } from '@trellis/platform/http/pagination';
import { refuse } from './problems.js';
import type { RouteDeps } from './route-deps.js';
import { assertProjectInScope } from './scope.js';
import { idParams, memberSchema, memberView, roleSchema } from './views.js';

const TAGS = ['members'];
const projectParams = z.object({ projectId: idParams.projectId });
const memberParams = z.object({ projectId: idParams.projectId, userId: idParams.userId });
const memberAnswer = z.object({ project_id: z.uuid(), user_id: z.uuid(), role: roleSchema, created_at: z.iso.datetime() });
const addBody = z
  .strictObject({ user_id: z.uuid().optional(), username: z.string().min(1).max(64).optional(), role: roleSchema })
  .refine((body) => (body.user_id === undefined) !== (body.username === undefined), { message: 'give exactly one of user_id and username' });

/**
 * Members of a project: viewer to list, owner to change, and instance admins whatever their
 * token's project (`admins`). The platform refuses anyone else before the request is read
 * (another project answers 404); the use cases check the same rule again. See the README's
 * role matrix.
 */
export function memberRoutes(deps: RouteDeps, basePath: string): Route[] {
  const path = (projectId: string, userId?: string) => `${basePath}/projects/${projectId}/members${userId ? `/${userId}` : ''}`;
  const answer = (m: { projectId: string; userId: string; role: string; createdAt: Date }) =>
    ({ project_id: m.projectId, user_id: m.userId, role: m.role, created_at: m.createdAt });
  return [
    defineRoute({
      method: 'get', path: '/projects/:projectId/members', operationId: 'authorizationListProjectMembers', summary: 'List the project\'s members (viewer, or instance admin)',
      tags: TAGS, access: projectRole('viewer', { admins: true }), params: projectParams, query: z.object(pageQuery),
      responses: { 200: { description: 'A page of members', schema: listOf(memberSchema) }, 404: { description: 'No such project, or not yours' } },
      handler: async ({ params, query, context }) => {
        await assertProjectInScope(deps, context, params.projectId, 'viewer', { adminMay: true });
        const after = decodeCursor(query.cursor, z.tuple([z.string()]));
        const page = await deps.queries.members(params.projectId, { limit: query.limit, after: after?.[0] });
        return { status: 200, body: pageAnswer(page, memberView, (member) => [member.username]) };
      },
    }),
    defineRoute({
      method: 'post', path: '/projects/:projectId/members', operationId: 'authorizationAddProjectMember', summary: 'Add a member (owner, or instance admin)',
      tags: TAGS, access: projectRole('owner', { admins: true }), params: projectParams, body: addBody,
      responses: { 201: { description: 'Added', schema: memberAnswer }, 404: { description: 'No such project or user' }, 409: { description: 'Already a member' } },
      handler: async ({ params, body, context }) => {
        const result = await deps.useCases.addMember({
          actor: actorOf(context), projectId: params.projectId, role: body.role, meta: metaOf(context),
          user: body.user_id !== undefined ? { id: body.user_id } : { username: body.username ?? '' },
        });
        if (!result.ok) return refuse(result.error, context, path(params.projectId));
        return { status: 201, body: answer(result.value), headers: { location: path(params.projectId, result.value.userId) } };
      },
    }),
    defineRoute({
      method: 'patch', path: '/projects/:projectId/members/:userId', operationId: 'authorizationChangeProjectMemberRole', summary: 'Change a member\'s role (owner, or instance admin)',
      tags: TAGS, access: projectRole('owner', { admins: true }), params: memberParams, body: z.strictObject({ role: roleSchema }),
      responses: { 200: { description: 'Changed', schema: memberAnswer }, 409: { description: 'It would leave the project without an owner' } },
      handler: async ({ params, body, context }) => {
        const result = await deps.useCases.changeMemberRole({ actor: actorOf(context), projectId: params.projectId, userId: params.userId, role: body.role, meta: metaOf(context) });
        if (!result.ok) return refuse(result.error, context, path(params.projectId, params.userId));
        return { status: 200, body: answer(result.value) };
      },
    }),
    defineRoute({
      method: 'delete', path: '/projects/:projectId/members/:userId', operationId: 'authorizationRemoveProjectMember', summary: 'Remove a member (owner, or instance admin)',
      tags: TAGS, access: projectRole('owner', { admins: true }), params: memberParams,
      responses: { 204: { description: 'Removed' }, 409: { description: 'The last owner' } },
      handler: async ({ params, context }) => {
        const result = await deps.useCases.removeMember({ actor: actorOf(context), projectId: params.projectId, userId: params.userId, meta: metaOf(context) });
        if (!result.ok) return refuse(result.error, context, path(params.projectId, params.userId));
        return { status: 204 };
      },
    }),
  ];
}
