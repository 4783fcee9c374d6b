import { z } from 'zod';
import type { JsonValue } from '@trellis/kernel/io';
import { projectRole } from '@trellis/platform/auth/access';
import { HttpProblem } from '@trellis/platform/http/problem';
import { defineRoute, projectOf, type Route } from '@trellis/platform/http/route';
import { readDocument } from '@trellis/workflow-language/document';
import type { Engine } from '../../application/engine-port.js';
import { checkTriggerInputs } from '../../domain/trigger-inputs.js';
import type { RunQueries } from '../postgres/run-queries.js';
import { accepted } from './run-answers.js';
import { idempotencyKeyOf, inputProblem } from './user-api.js';

/*
 * `POST /runner/workflows/{id}/runs`: a run started by hand (the API, the CLI, the web UI's "Run"),
 * with the inputs its trigger declares: a manual workflow's, or an HTTP one's (run as if called).
 * Schedules and trigger actions start their own runs. The answer is at once: 202 and where to
 * read the run. An Idempotency-Key gives the same run again.
 */

const workflowNotFound = () => new HttpProblem(404, 'workflow_not_found', 'Workflow not found', 'No workflow of the project serves a version with this id.');

export type ManualRunDeps = { queries: Pick<RunQueries, 'servingOf'>; engine: Pick<Engine, 'start'> };

export function makeManualRunRoutes(deps: ManualRunDeps): Route[] {
  return [
    defineRoute({
      method: 'post', path: '/workflows/:id/runs', operationId: 'runnerStartRun', tags: ['runs'], access: projectRole('operator'),
      summary: 'Starts a run of a deployed workflow by hand, with the inputs its trigger declares',
      description: 'For manual and HTTP triggers (the run is recorded as `manual`). Answers at once with where to read the run; '
        + 'an `Idempotency-Key` header gives the same run again within 24 hours.',
      params: z.object({ id: z.string() }),
      body: z.object({ inputs: z.record(z.string(), z.unknown()).optional().describe('The trigger\'s inputs by name') }).strict(),
      responses: { 202: { description: 'Started', schema: z.object({ run_id: z.string(), status_url: z.string(), result_url: z.string() }) } },
      handler: async ({ params, body, context }) => {
        const { projectId } = projectOf(context);
        const served = await deps.queries.servingOf(projectId, params.id);
        if (!served) throw workflowNotFound();
        const trigger = readDocument(served.document).trigger;
        if (trigger?.type !== 'manual' && trigger?.type !== 'http') {
          throw new HttpProblem(409, 'not_started_by_hand', 'Not started by hand', `This workflow's ${trigger?.type ?? 'missing'} trigger starts its runs.`);
        }
        const checked = checkTriggerInputs(trigger.inputs, (body.inputs ?? {}) as Record<string, JsonValue>, 'body');
        if (!checked.ok) throw inputProblem(checked.error, 'body');
        const key = idempotencyKeyOf(context);
        const started = await deps.engine.start({
          projectId, workflowId: served.workflowId, triggerType: 'manual', triggerOutputs: checked.value, traceId: context.traceId,
          ...(key === undefined ? {} : { idempotencyKey: key }),
        });
        if (!started.ok) {
          if (started.error.type === 'NotServing') throw workflowNotFound();
          throw new HttpProblem(503, 'overloaded', 'Overloaded', 'The runner takes no new run right now; retry later.', undefined, { 'retry-after': '1' });
        }
        return accepted(started.value.runId);
      },
    }),
  ];
}
