import { z } from 'zod';
import { projectRole } from '@trellis/platform/auth/access';
import { valueOr } from '@trellis/platform/http/results';
import { defineRoute, projectOf, type Route } from '@trellis/platform/http/route';
import { problemOf } from './problems.js';
import type { RouteDeps } from './route-deps.js';
import { buildBody, sourceParams } from './schemas.js';
import { buildSchema, buildView } from './views.js';

const requestedSchema = z.object({ scan_id: z.uuid().describe('The scan the builds are made from'), builds: z.array(buildSchema) });

/** Build requests: the action builder builds, the repository follows each build's status. */
export function buildRoutes(deps: RouteDeps): Route[] {
  return [
    defineRoute({
      method: 'post', path: '/sources/:id/build', operationId: 'repositoryBuildSource',
      summary: 'Build every valid action of the source\'s last scan, or those named',
      description: 'Each build is asked of the action builder (ActionBuildRequested); its status (queued, running, built with its digest, failed with the reason, canceled) shows on the source and its scan.',
      tags: ['builds'], access: projectRole('developer'), params: sourceParams, body: buildBody,
      responses: {
        202: { description: 'The builds asked for', schema: requestedSchema },
        400: { description: 'unknown_actions: names that are not actions of the last scan' },
        404: { description: 'source_not_found' },
        409: { description: 'not_scanned or nothing_to_build' },
      },
      handler: async ({ params, body, context }) => {
        const { projectId, caller } = projectOf(context);
        const requested = valueOr(await deps.useCases.requestBuilds({
          projectId, sourceId: params.id, actionIds: body?.actions, requestedBy: caller.userId ?? caller.credentialId, traceId: context.traceId,
        }), problemOf);
        return { status: 202, body: { scan_id: requested.scanId, builds: requested.builds.map(buildView) } };
      },
    }),
  ];
}
