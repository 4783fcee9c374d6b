import { z } from 'zod';
import { ADMIN } from '@trellis/platform/auth/access';
import { HttpProblem } from '@trellis/platform/http/problem';
import { defineRoute, type Route } from '@trellis/platform/http/route';
import { actorOf, metaOf } from './caller.js';
import { decodeCursor, listOf, pageAnswer, pageQuery } from '@trellis/platform/http/pagination';
import { refuse } from './problems.js';
import type { RouteDeps } from './route-deps.js';
import { idParams, projectSchema, projectView } from './views.js';

const TAGS = ['projects'];
const projectParams = z.object({ projectId: idParams.projectId });
const title = z.string().max(800).nullable();

/** Project administration: instance admins only. Members see their projects through /me. */
export function projectRoutes(deps: RouteDeps, basePath: string): Route[] {
  const path = (id: string) => `${basePath}/projects/${id}`;
  return [
    defineRoute({
      method: 'get', path: '/projects', operationId: 'authorizationListProjects', summary: 'List projects by name',
      tags: TAGS, access: ADMIN, query: z.object(pageQuery),
      responses: { 200: { description: 'A page of projects', schema: listOf(projectSchema) } },
      handler: async ({ query }) => {
        const after = decodeCursor(query.cursor, z.tuple([z.string()]));
        const page = await deps.queries.projects({ limit: query.limit, after: after?.[0] });
        return { status: 200, body: pageAnswer(page, projectView, (project) => [project.name]) };
      },
    }),
    defineRoute({
      method: 'post', path: '/projects', operationId: 'authorizationCreateProject', summary: 'Create a project (you become its owner)',
      tags: TAGS, access: ADMIN,
      body: z.strictObject({
        name: z.string().max(63).describe('Lowercase slug used in URLs; it never changes'),
        title: title.optional().describe('What people read'),
      }),
      responses: { 201: { description: 'Created', schema: projectSchema }, 409: { description: 'Name taken' } },
      handler: async ({ body, context }) => {
        const result = await deps.useCases.createProject({ actor: actorOf(context), name: body.name, title: body.title, meta: metaOf(context) });
        if (!result.ok) return refuse(result.error, context, `${basePath}/projects`);
        return { status: 201, body: projectView(result.value), headers: { location: path(result.value.id) } };
      },
    }),
    defineRoute({
      method: 'get', path: '/projects/:projectId', operationId: 'authorizationGetProject', summary: 'Get a project',
      tags: TAGS, access: ADMIN, params: projectParams,
      responses: { 200: { description: 'The project', schema: projectSchema } },
      handler: async ({ params }) => {
        const project = await deps.queries.project(params.projectId);
        if (!project) throw new HttpProblem(404, 'project_not_found', 'Project not found');
        return { status: 200, body: projectView(project) };
      },
    }),
    defineRoute({
      method: 'patch', path: '/projects/:projectId', operationId: 'authorizationRenameProject', summary: 'Rename a project (its title; the name slug is permanent)',
      tags: TAGS, access: ADMIN, params: projectParams, body: z.strictObject({ title }),
      responses: { 200: { description: 'Renamed', schema: projectSchema } },
      handler: async ({ params, body, context }) => {
        const result = await deps.useCases.updateProject({ actor: actorOf(context), projectId: params.projectId, title: body.title, meta: metaOf(context) });
        if (!result.ok) return refuse(result.error, context, path(params.projectId));
        return { status: 200, body: projectView(result.value) };
      },
    }),
    defineRoute({
      method: 'delete', path: '/projects/:projectId', operationId: 'authorizationDeleteProject', summary: 'Delete a project, its memberships and API keys (every service deletes its data)',
      tags: TAGS, access: ADMIN, params: projectParams,
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ params, context }) => {
        const result = await deps.useCases.deleteProject({ actor: actorOf(context), projectId: params.projectId, meta: metaOf(context) });
        if (!result.ok) return refuse(result.error, context, path(params.projectId));
        return { status: 204 };
      },
    }),
  ];
}
