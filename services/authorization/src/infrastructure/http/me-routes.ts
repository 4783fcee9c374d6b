import { z } from 'zod';
import { AUTHENTICATED } from '@trellis/platform/auth/access';
import { HttpProblem } from '@trellis/platform/http/problem';
import { callerOf, defineRoute, type Route } from '@trellis/platform/http/route';
import { metaOf, personOf } from './caller.js';
import { refuse } from './problems.js';
import type { RouteDeps } from './route-deps.js';
import { projectSchema, projectView, roleSchema, userSchema, userView } from './views.js';

const TAGS = ['me'];
const myProjectSchema = projectSchema.extend({ role: roleSchema });
const meSchema = z.object({
  user: userSchema.omit({ disabled: true }),
  projects: z.array(myProjectSchema),
  current_project: myProjectSchema.nullable().describe('The project of this access token'),
});

/** What a person sees and changes about themself. API keys have no "me". */
export function meRoutes(deps: RouteDeps, basePath: string): Route[] {
  const myProjects = async (userId: string) =>
    (await deps.queries.projectsOf(userId)).map(({ project, role }) => ({ ...projectView(project), role }));

  return [
    defineRoute({
      method: 'get', path: '/me', operationId: 'authorizationGetMe', summary: 'Who I am, my projects and roles, and my current project',
      tags: TAGS, access: AUTHENTICATED,
      responses: { 200: { description: 'Me', schema: meSchema } },
      handler: async ({ context }) => {
        const { actor } = personOf(context);
        const user = await deps.queries.user(actor.userId);
        if (!user) throw new HttpProblem(401, 'session_ended', 'Session ended', 'Log in again.');
        const projects = await myProjects(user.id);
        const current = projects.find((project) => project.id === callerOf(context).projectId) ?? null;
        const { disabled: _disabled, ...me } = userView(user);
        return { status: 200, body: { user: me, projects, current_project: current } };
      },
    }),
    defineRoute({
      method: 'patch', path: '/me', operationId: 'authorizationUpdateMe', summary: 'Change my display name',
      tags: TAGS, access: AUTHENTICATED, body: z.strictObject({ display_name: z.string().max(400) }),
      responses: { 200: { description: 'Updated', schema: userSchema } },
      handler: async ({ body, context }) => {
        const { actor } = personOf(context);
        const result = await deps.useCases.updateOwnProfile({ actor, displayName: body.display_name, meta: metaOf(context) });
        if (!result.ok) return refuse(result.error, context, `${basePath}/me`);
        return { status: 200, body: userView(result.value) };
      },
    }),
    defineRoute({
      method: 'post', path: '/me/password', operationId: 'authorizationChangeMyPassword', summary: 'Change my password (ends my other sessions)',
      tags: TAGS, access: AUTHENTICATED,
      body: z.strictObject({ current_password: z.string().min(1).max(1024), new_password: z.string().min(1).max(1024) }),
      responses: { 204: { description: 'Changed' }, 403: { description: 'The current password is wrong' }, 429: { description: 'Too many wrong guesses; see Retry-After' } },
      handler: async ({ body, context }) => {
        const { actor, sessionId } = personOf(context);
        const result = await deps.useCases.changeOwnPassword({
          actor, sessionId, currentPassword: body.current_password, newPassword: body.new_password, meta: metaOf(context),
        });
        if (!result.ok) return refuse(result.error, context, `${basePath}/me/password`);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get', path: '/me/projects', operationId: 'authorizationListMyProjects', summary: 'My projects and my role in each',
      tags: TAGS, access: AUTHENTICATED,
      responses: { 200: { description: 'My projects', schema: z.object({ items: z.array(myProjectSchema) }) } },
      handler: async ({ context }) => {
        const { actor } = personOf(context);
        return { status: 200, body: { items: await myProjects(actor.userId) } };
      },
    }),
  ];
}
