import { z } from 'zod';
import { projectRole } from '@trellis/platform/auth/access';
import { decodeCursor, listOf, pageAnswer, pageQuery } from '@trellis/platform/http/pagination';
import { HttpProblem } from '@trellis/platform/http/problem';
import { defineRoute, projectOf, type Route } from '@trellis/platform/http/route';
import { actionRef } from '../../application/action-refs.js';
import type { ActionVersionRef } from '../../application/site.js';
import { SITE_NAMES, type SiteStats } from '../../application/site.js';
import { actionName, DEPLOYMENT_STATUSES } from '../../domain/deployment.js';
import type { DeploymentListing, DeploymentQueries } from '../postgres/deployment-queries.js';
import type { TriggerStatus } from '../../application/trigger-listener.js';
import { isUuid } from '../postgres/run-queries.js';

const siteStateSchema = z.object({
  state: z.enum(['starting', 'ready', 'idle', 'stopped', 'crashed']),
  processes: z.number().int(), in_flight: z.number().int(), cold_starts: z.number().int(),
  last_cold_start_ms: z.number().nullable(), restarts: z.number().int(),
}).describe('What the site reports for the action version now');

export const deploymentSchema = z.object({
  workflow_id: z.string(),
  name: z.string(),
  version: z.number().int().describe('The version the last request named'),
  serving_version: z.number().int().nullable().describe('The version new runs start on; null when the workflow accepts no run'),
  status: z.enum(DEPLOYMENT_STATUSES),
  mode: z.enum(['graceful', 'immediate']).nullable().describe('How the last undeploy treats runs in flight'),
  reason: z.string().describe('Why the last deploy failed; empty otherwise'),
  trigger: z.enum(['http', 'manual', 'schedule', 'action']).nullable(),
  http_path: z.string().nullable().describe('Under /user-api/<project name>/, for an HTTP trigger'),
  next_run_at: z.string().nullable().describe('For a schedule trigger: its next tick (ISO 8601), when its next run starts; null otherwise'),
  site: z.enum(SITE_NAMES).describe('Where its actions run: local processes, docker containers or kubernetes pods (the version\'s site)'),
  trigger_action: z.object({
    status: z.enum(['starting', 'listening', 'restarting', 'failed']).describe('failed: it cannot start (its inputs cannot be given); it is tried again like a restart'),
    restarts: z.number().int().describe('How many times it started again after stopping (its process died, its stream ended or failed)'),
    last_error: z.string().nullable().describe('Why it last stopped, or the last error it reported'),
    events: z.number().int().describe('Runs started from its events'),
    refused: z.number().int().describe('Events whose outputs do not fit the declaration (no run)'),
    pid: z.number().int().nullable().describe('Its wrapper process while it listens'),
  }).nullable().describe('For an action trigger listened to by the runner process that answers; null otherwise (another replica may be listening)'),
  updated_at: z.string(),
  actions: z.array(z.object({
    action: z.string().describe('id@version'),
    digest: z.string(),
    site_state: siteStateSchema.nullable().describe('null when the site has nothing running for it'),
  })).describe('The action versions of the serving version (or of the version asked for, when none serves)'),
});

export type ScaleOutcome = 'stopped' | 'busy' | 'not_running';

const scaledSchema = z.object({
  actions: z.array(z.object({
    action: z.string().describe('id@version'),
    outcome: z.enum(['stopped', 'busy', 'not_running']).describe('stopped: its process was stopped (the next call cold-starts it); busy: a call was in flight, nothing stopped; not_running: no process'),
  })),
});

export type DeploymentRouteDeps = {
  queries: DeploymentQueries;
  stats: () => readonly SiteStats[];
  /** The site's scale to zero of one action version (the route is left out without it). */
  scaleToZero?: (action: ActionVersionRef) => Promise<ScaleOutcome>;
  /** What the workflow's trigger action does on this runner process. */
  triggerStatus?: (workflowId: string) => TriggerStatus | undefined;
};

function triggerView(status: TriggerStatus | undefined): z.infer<typeof deploymentSchema>['trigger_action'] {
  if (!status) return null;
  return { status: status.status, restarts: status.restarts, last_error: status.lastError, events: status.events, refused: status.refused, pid: status.pid };
}

function view(deployment: DeploymentListing, stats: ReadonlyMap<string, SiteStats>, trigger: TriggerStatus | undefined): z.infer<typeof deploymentSchema> {
  return {
    workflow_id: deployment.workflowId, name: deployment.name, version: deployment.version, serving_version: deployment.servingVersion,
    status: deployment.status, mode: deployment.mode, reason: deployment.reason, trigger: deployment.triggerType, http_path: deployment.httpPath,
    next_run_at: deployment.nextRunAt?.toISOString() ?? null,
    site: deployment.site, trigger_action: triggerView(trigger), updated_at: deployment.updatedAt.toISOString(),
    actions: deployment.actions.map((action) => {
      const stat = stats.get(`${actionName(action)}/${action.digest}`);
      return {
        action: actionName(action), digest: action.digest,
        site_state: stat ? {
          state: stat.state, processes: stat.processes, in_flight: stat.inFlight, cold_starts: stat.coldStarts,
          last_cold_start_ms: stat.lastColdStartMs, restarts: stat.restarts,
        } : null,
      };
    }),
  };
}

const cursorKey = z.tuple([z.string(), z.string()]);

/** `/deployments`: what the project's workflows serve, and how their actions do on the site. */
export function makeDeploymentRoutes(deps: DeploymentRouteDeps): Route[] {
  return [
    defineRoute({
      method: 'get', path: '/deployments', operationId: 'runnerListDeployments', tags: ['deployments'], access: projectRole('viewer'),
      summary: 'The project\'s deployed workflows: versions, status, trigger, and the state of their actions on the site',
      query: z.object(pageQuery),
      responses: { 200: { description: 'One page of deployments, by workflow name', schema: listOf(deploymentSchema) } },
      handler: async ({ query, context }) => {
        const { projectId } = projectOf(context);
        const page = await deps.queries.list(projectId, { limit: query.limit, after: decodeCursor(query.cursor, cursorKey) });
        // Only this project's processes: another project running the same action version has its own.
        const stats = new Map(deps.stats().filter((stat) => stat.projectId === projectId).map((stat) => [`${stat.actionVersion}/${stat.digest}`, stat]));
        return { status: 200, body: pageAnswer(page, (item) => view(item, stats, deps.triggerStatus?.(item.workflowId)), (item) => [item.name, item.workflowId]) };
      },
    }),
    ...(deps.scaleToZero ? [scaleToZeroRoute(deps.queries, deps.scaleToZero)] : []),
  ];
}

/**
 * `POST /deployments/{workflow_id}/scale-to-zero`: what the idle time does, now (as `kubectl
 * scale --replicas=0`): the process of each action version the deployment runs is stopped
 * unless a call is in flight, and the next call cold-starts it. An action version is one process
 * shared by every workflow of the project that pins it, so they all cold-start after this.
 */
function scaleToZeroRoute(queries: DeploymentQueries, scaleToZero: (action: ActionVersionRef) => Promise<ScaleOutcome>): Route {
  return defineRoute({
    method: 'post', path: '/deployments/:workflowId/scale-to-zero', operationId: 'runnerScaleDeploymentToZero', tags: ['deployments'], access: projectRole('developer'),
    summary: 'Stops the action processes of the deployment now, as its idle time would; the next call cold-starts them',
    params: z.object({ workflowId: z.string() }),
    responses: {
      200: { description: 'What became of each action version of the serving version (or of the version asked for, when none serves)', schema: scaledSchema },
      404: { description: 'No such deployment in the project' },
    },
    handler: async ({ params, context }) => {
      const { projectId } = projectOf(context);
      const deployment = isUuid(params.workflowId) ? await queries.find(projectId, params.workflowId) : undefined;
      if (!deployment) throw new HttpProblem(404, 'deployment_not_found', 'Deployment not found', 'No deployment of this workflow in the project.');
      const actions = [];
      for (const action of deployment.actions) actions.push({ action: actionName(action), outcome: await scaleToZero(actionRef(projectId, action, deployment.site)) });
      return { status: 200, body: { actions } };
    },
  });
}
