import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { JsonValue } from '@trellis/kernel/io';
import { projectRole } from '@trellis/platform/auth/access';
import { HttpProblem } from '@trellis/platform/http/problem';
import { defineRoute, projectOf, type RequestContext, type Route, type Upload } from '@trellis/platform/http/route';
import type { ObjectStore } from '@trellis/platform/object-store';
import { readDocument, type IoDeclaration } from '@trellis/workflow-language/document';
import type { Engine } from '../../application/engine-port.js';
import { checkTriggerInputs, type InputSource, type QueryValue } from '../../domain/trigger-inputs.js';
import type { RunObjects } from '../../application/run-objects.js';
import type { RunQueries } from '../postgres/run-queries.js';
import { accepted } from './run-answers.js';
import { readTriggerForm, removeQuietly } from './trigger-form.js';
import { idempotencyKeyOf, inputProblem } from './user-api.js';

/*
 * `POST /runner/workflows/{id}/runs`: a run started by hand (the API, the CLI, the web UI's "Run"),
 * with the inputs its trigger declares: a manual workflow's, or an HTTP one's (run as if called).
 * Schedules and trigger actions start their own runs. The answer is at once: 202 and where to
 * read the run. An Idempotency-Key gives the same run again. Inputs come as JSON, or as a
 * multipart form when the trigger takes files (the form's files are stored under the new run,
 * as an HTTP trigger's are).
 */

const workflowNotFound = () => new HttpProblem(404, 'workflow_not_found', 'Workflow not found', 'No workflow of the project serves a version with this id.');

export type ManualRunDeps = {
  queries: Pick<RunQueries, 'servingOf'>;
  engine: Pick<Engine, 'start'>;
  /** Where a form's files are written, and the largest form (413 beyond). */
  uploads: { store: ObjectStore; objects: Pick<RunObjects, 'keyOf'>; maxBytes: number };
};

type Read = { given: Readonly<Record<string, JsonValue | QueryValue>>; where: InputSource; objects: readonly string[] };

export function makeManualRunRoutes(deps: ManualRunDeps): Route[] {
  const { store, objects: runObjects } = deps.uploads;

  const start = async (workflowId: string, context: RequestContext, read: (inputs: readonly IoDeclaration[], projectId: string, runId: string) => Promise<Read>) => {
    const { projectId } = projectOf(context);
    const served = await deps.queries.servingOf(projectId, workflowId);
    if (!served) throw workflowNotFound();
    const trigger = readDocument(served.document).trigger;
    if (trigger?.type !== 'manual' && trigger?.type !== 'http') {
      throw new HttpProblem(409, 'not_started_by_hand', 'Not started by hand', `This workflow's ${trigger?.type ?? 'missing'} trigger starts its runs.`);
    }
    const key = idempotencyKeyOf(context);
    const runId = randomUUID();
    const { given, where, objects } = await read(trigger.inputs, projectId, runId);
    const checked = checkTriggerInputs(trigger.inputs, given, where);
    if (!checked.ok) {
      await removeQuietly(store, objects);
      throw inputProblem(checked.error, where);
    }
    const started = await deps.engine.start({
      projectId, workflowId: served.workflowId, triggerType: 'manual', triggerOutputs: checked.value, traceId: context.traceId, runId,
      ...(key === undefined ? {} : { idempotencyKey: key }),
    }).catch(async (error: unknown) => {
      await removeQuietly(store, objects);
      throw error;
    });
    if (!started.ok || started.value.existing) await removeQuietly(store, objects);
    if (!started.ok) {
      if (started.error.type === 'NotServing') throw workflowNotFound();
      throw new HttpProblem(503, 'overloaded', 'Overloaded', 'The runner takes no new run right now; retry later.', undefined, { 'retry-after': '1' });
    }
    return accepted(started.value.runId);
  };

  /** `contentType`: the whole header (its boundary parameter included). */
  const fromForm = (upload: Upload, contentType: string) => async (inputs: readonly IoDeclaration[], projectId: string, runId: string): Promise<Read> => {
    const form = await readTriggerForm(store, upload.stream, contentType, inputs, (input) => runObjects.keyOf(projectId, runId, 'trigger', input));
    return { given: form.given, where: 'form', objects: form.objects };
  };

  return [
    defineRoute({
      method: 'post', path: '/workflows/:id/runs', operationId: 'runnerStartRun', tags: ['runs'], access: projectRole('operator'),
      summary: 'Starts a run of a deployed workflow by hand, with the inputs its trigger declares',
      description: 'For manual and HTTP triggers (the run is recorded as `manual`). Answers at once with where to read the run; '
        + 'an `Idempotency-Key` header gives the same run again within 24 hours.',
      params: z.object({ id: z.string() }),
      body: z.object({ inputs: z.record(z.string(), z.unknown()).optional().describe('The trigger\'s inputs by name') }).strict(),
      upload: { description: 'A multipart/form-data form, for a trigger with file inputs: a file part per file input, a text field per other input.', maxBytes: deps.uploads.maxBytes, mediaTypes: ['multipart/form-data'] },
      responses: { 202: { description: 'Started', schema: z.object({ run_id: z.string(), status_url: z.string(), result_url: z.string() }) } },
      handler: async ({ params, body, upload, context }) => {
        const given = (body?.inputs ?? {}) as Record<string, JsonValue>;
        return start(params.id, context, upload
          ? fromForm(upload, String(context.headers['content-type'] ?? upload.contentType))
          : async () => ({ given, where: 'body', objects: [] }));
      },
    }),
  ];
}
