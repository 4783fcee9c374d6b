import { z } from 'zod';
import { projectRole } from '@trellis/platform/auth/access';
import { HttpProblem } from '@trellis/platform/http/problem';
import { defineRoute, projectOf, type Route } from '@trellis/platform/http/route';
import { isUuid } from '../postgres/run-queries.js';
import type { WebhookStore } from '../postgres/webhook-store.js';
import type { WebhookSecrets } from '../webhooks/webhook-secrets.js';

export type WebhookRouteDeps = {
  store: Pick<WebhookStore, 'isProjectWorkflow' | 'redeliver'>;
  secrets: WebhookSecrets;
};

const secretSchema = z.object({
  workflow_id: z.string(),
  secret: z.string().describe('The HMAC-SHA256 key of the workflow\'s completion webhook (whsec_...): Trellis-Signature is v1=hex(HMAC(secret, "<Trellis-Timestamp>.<body>"))'),
});

const workflowParams = z.object({ id: z.string() });

/** `/workflows/{id}/webhook-secret`: the signing secret of a workflow's completion webhook; `/runs/{id}/webhook/redeliver`. */
export function makeWebhookRoutes(deps: WebhookRouteDeps): Route[] {
  const workflowOf = async (projectId: string, id: string): Promise<string> => {
    if (!isUuid(id) || !(await deps.store.isProjectWorkflow(projectId, id))) {
      throw new HttpProblem(404, 'workflow_not_found', 'Workflow not found', 'No workflow of the project was deployed with this id.');
    }
    return id;
  };
  return [
    defineRoute({
      method: 'get', path: '/workflows/:id/webhook-secret', operationId: 'runnerGetWebhookSecret', tags: ['webhooks'], access: projectRole('developer'),
      summary: 'The secret that signs the workflow\'s completion webhook deliveries (made on first use)',
      params: workflowParams,
      responses: { 200: { description: 'The secret', schema: secretSchema } },
      handler: async ({ params, context }) => {
        const { projectId } = projectOf(context);
        const workflowId = await workflowOf(projectId, params.id);
        return { status: 200, headers: { 'cache-control': 'no-store' }, body: { workflow_id: workflowId, secret: await deps.secrets.current(projectId, workflowId) } };
      },
    }),
    defineRoute({
      method: 'post', path: '/workflows/:id/webhook-secret/rotate', operationId: 'runnerRotateWebhookSecret', tags: ['webhooks'], access: projectRole('developer'),
      summary: 'Replaces the workflow\'s webhook secret: deliveries signed from now on use the new one',
      params: workflowParams,
      responses: { 200: { description: 'The new secret', schema: secretSchema } },
      handler: async ({ params, context }) => {
        const { projectId } = projectOf(context);
        const workflowId = await workflowOf(projectId, params.id);
        return { status: 200, headers: { 'cache-control': 'no-store' }, body: { workflow_id: workflowId, secret: await deps.secrets.rotate(projectId, workflowId) } };
      },
    }),
    defineRoute({
      method: 'post', path: '/runs/:id/webhook/redeliver', operationId: 'runnerRedeliverWebhook', tags: ['webhooks'], access: projectRole('operator'),
      summary: 'Sends a failed completion webhook delivery again: a new round of attempts starts now',
      params: z.object({ id: z.string() }),
      responses: { 202: { description: 'Pending again', schema: z.object({ run_id: z.string(), status: z.literal('pending') }) } },
      handler: async ({ params, context }) => {
        const { projectId } = projectOf(context);
        const outcome = isUuid(params.id) ? await deps.store.redeliver(projectId, params.id) : 'none';
        switch (outcome) {
          case 'none':
            throw new HttpProblem(404, 'delivery_not_found', 'Delivery not found', 'The project has no such run, or its run has no webhook delivery.');
          case 'not_failed':
            throw new HttpProblem(409, 'delivery_not_failed', 'Delivery not failed', 'Only a failed delivery is sent again; this one is pending or delivered.');
          case 'pending':
            return { status: 202, body: { run_id: params.id, status: 'pending' as const } };
        }
      },
    }),
  ];
}
