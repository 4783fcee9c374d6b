import type { Kysely } from 'kysely';
import { z } from 'zod';
import { projectRole } from '../auth/access.js';
import { HttpProblem } from '../http/problem.js';
import { defineRoute, projectOf, type Route } from '../http/route.js';
import { findKnownProject, type TenancyTables } from './postgres.js';

/** A project as a service knows it (its name as announced when it was created). */
export const knownProjectBody = z.object({
  id: z.uuid(),
  name: z.string(),
  created_at: z.iso.datetime({ offset: true }),
});

/**
 * `GET <base>/project`: the caller's current project as this service knows it. Every service
 * but authorization serves it; it says whether the service has heard of the project yet.
 */
export function knownProjectRoute<DB extends TenancyTables>(deps: { db: Kysely<DB>; operationId: string; serviceTitle: string }): Route {
  const { serviceTitle } = deps;
  const sentence = serviceTitle.charAt(0).toUpperCase() + serviceTitle.slice(1);
  return defineRoute({
    method: 'get',
    path: '/project',
    operationId: deps.operationId,
    summary:
      `The caller's current project as ${serviceTitle} knows it. Eventually consistent: ${serviceTitle} learns of a project from ` +
      'authorization\'s ProjectCreated event, so a project created a moment ago may answer 404 project_not_found for a short while.',
    tags: ['projects'],
    access: projectRole('viewer'),
    responses: {
      200: { description: 'The project', schema: knownProjectBody },
      404: { description: `project_not_found: ${serviceTitle} has not received this project's announcement yet, or the project was deleted` },
    },
    handler: async ({ context }) => {
      const { projectId } = projectOf(context);
      const project = await findKnownProject(deps.db, projectId);
      if (!project) {
        throw new HttpProblem(404, 'project_not_found', 'Project not found',
          `${sentence} does not know this project: it may have been created a moment ago (its announcement has not arrived yet) or deleted.`);
      }
      const body: z.output<typeof knownProjectBody> = { id: project.id, name: project.name, created_at: project.created_at.toISOString() };
      return { status: 200, body };
    },
  });
}
