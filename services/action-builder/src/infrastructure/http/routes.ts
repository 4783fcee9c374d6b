import type { Kysely } from 'kysely';
import { projectRole } from '@trellis/platform/auth/access';
import { HttpProblem } from '@trellis/platform/http/problem';
import { defineRoute, projectOf, type Route } from '@trellis/platform/http/route';
import { findProject } from '../postgres/queries.js';
import type { Database } from '../postgres/schema.js';
import { projectBody, type ProjectBody } from './schemas.js';

export const BASE_PATH = '/builder';

/** Business routes (builds, build logs) arrive with the builder's issue. */
export function makeRoutes(deps: { db: Kysely<Database> }): Route[] {
  return [
    defineRoute({
      method: 'get',
      path: '/project',
      operationId: 'actionBuilderGetProject',
      summary:
        'The caller\'s current project as the action builder knows it. Eventually consistent: the action builder learns of a project from ' +
        'authorization\'s ProjectCreated event, so a project created a moment ago may answer 404 project_not_found for a short while.',
      tags: ['projects'],
      access: projectRole('viewer'),
      responses: {
        200: { description: 'The project', schema: projectBody },
        404: { description: 'project_not_found: the action builder has not received this project\'s announcement yet, or the project was deleted' },
      },
      handler: async ({ context }) => {
        const { projectId } = projectOf(context);
        const project = await findProject(deps.db, projectId);
        if (!project) {
          throw new HttpProblem(404, 'project_not_found', 'Project not found',
            'The action builder does not know this project: it may have been created a moment ago (its announcement has not arrived yet) or deleted.');
        }
        const body: ProjectBody = { id: project.id, name: project.name, created_at: project.created_at.toISOString() };
        return { status: 200, body };
      },
    }),
  ];
}
