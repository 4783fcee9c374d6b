import { z } from 'zod';
import type { JsonValue } from '@trellis/kernel/io';
import { projectRole } from '@trellis/platform/auth/access';
import { HttpProblem } from '@trellis/platform/http/problem';
import { defineRoute, projectOf, type Route } from '@trellis/platform/http/route';
import { readDocument, type Step } from '@trellis/workflow-language/document';
import { parseTemplate, templateReferences } from '@trellis/workflow-language/template';
import { restoreRecord } from '../../application/large-values.js';
import { maskPasswords } from '../../domain/secret-mask.js';
import { isStoredFile, type StoredFile } from '../../domain/stored-file.js';
import type { RunDetail, RunQueries } from '../postgres/run-queries.js';
import { shownRecord, shownValue } from './value-views.js';

/*
 * What `trellis-action replay` needs to run one recorded attempt again on a developer's machine:
 * the step's inputs as the action got them (large values read back, each file input as a
 * short-lived download link) and what the attempt did. Secrets never leave: a password input, or
 * one built from `${{ secrets.* }}`, is named in `secrets` and its value removed.
 */

const json = z.unknown().describe('A JSON value');
const errorSchema = z.object({ code: z.string(), message: z.string() }).loose().nullable();

const replaySchema = z.object({
  run_id: z.string(), step: z.string().describe('The step as asked: an item is `<step>[<index>]`, a compensation `<compensation>:<step>`'),
  attempt: z.number().int(),
  action: z.object({ id: z.string(), version: z.string(), digest: z.string() }),
  inputs: z.record(z.string(), json).describe('The inputs as the action got them, large values read back; a file input is `{url, name, size, content_type}` (url: a presigned GET, 15 minutes). Secrets are left out'),
  secrets: z.array(z.string()).describe('Inputs that held a secret or password: their values are never sent, the replay asks for them'),
  recorded: z.object({
    status: z.string(), error: errorSchema,
    outputs: z.record(z.string(), json).nullable().describe('Only when the attempt succeeded (password outputs shown as ***)'),
    stdout: z.string(), stderr: z.string(), duration_ms: z.number().nullable(),
  }),
});

export type ReplayRouteDeps = {
  queries: Pick<RunQueries, 'get' | 'logs'>;
  /** Reads a value kept in the object store for its size. */
  getText: (object: string) => Promise<string>;
  /** Where the project's runs keep their objects: only references under it are followed. */
  runsPrefix: (projectId: string) => string;
  /** A presigned link to download a stored file (15 minutes). */
  downloadUrl: (file: StoredFile) => Promise<string>;
};

const notFound = (code: string, title: string, detail: string) => new HttpProblem(404, code, title, detail);

/** The document step a step row belongs to: an item `<step>[<i>]` and a compensation `<compensation>:<step>` are run by their step's action. */
function documentStepOf(run: RunDetail, step: string): Step {
  const [id = ''] = step.split(/[:[]/);
  const found = readDocument(run.document).steps.find((candidate) => candidate.id === id);
  if (!found) throw notFound('step_not_found', 'Step not found', 'The run\'s version has no such step.');
  return found;
}

const builtWithSecrets = (template: JsonValue | undefined): boolean => {
  if (template === undefined) return false;
  const parsed = parseTemplate(template);
  return parsed.ok && templateReferences(parsed.template).some((reference) => reference.root === 'secrets');
};

/** The names of the inputs whose values stay on the server: declared passwords, and anything rendered from a secret. */
export function secretInputs(recorded: Readonly<Record<string, JsonValue>>, templates: Readonly<Record<string, JsonValue>>, declared: readonly { name: string; type: string }[]): string[] {
  const passwords = new Set(declared.filter((spec) => spec.type === 'password').map((spec) => spec.name));
  return Object.keys(recorded).filter((name) => passwords.has(name) || builtWithSecrets(templates[name]));
}

/** The recorded inputs as a replay gets them: secrets left out, each of the project's files as a download link. */
async function inputsView(recorded: Readonly<Record<string, JsonValue>>, secrets: readonly string[], prefix: string, downloadUrl: ReplayRouteDeps['downloadUrl']): Promise<Record<string, JsonValue>> {
  const inputs: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(recorded)) {
    if (secrets.includes(name)) continue;
    inputs[name] = isStoredFile(value) && value.object.startsWith(prefix)
      ? { url: await downloadUrl(value), name: value.name, size: value.size, content_type: value.content_type }
      : shownValue(value);
  }
  return inputs;
}

/** `/runs/{id}/steps/{step}/replay`: one attempt of a step, as a local replay runs it again. */
export function makeReplayRoutes(deps: ReplayRouteDeps): Route[] {
  return [
    defineRoute({
      method: 'get', path: '/runs/:id/steps/:step/replay', operationId: 'runnerGetStepReplay', tags: ['runs'], access: projectRole('developer'),
      summary: 'What a local replay of a step\'s attempt needs: its inputs (files as download links, secrets left out) and what the attempt did',
      description: 'The inputs are shown unmasked (developer role), except those holding a secret or password: they are named in `secrets` and never sent. '
        + '`attempt` defaults to the step\'s last one. An item of a foreach step is `<step>[<index>]`. `trellis-action replay` reads this.',
      params: z.object({ id: z.string(), step: z.string() }),
      query: z.object({ attempt: z.coerce.number().int().min(1).optional().describe('The attempt (1 is the first); the last one by default') }),
      responses: { 200: { description: 'The attempt to replay', schema: replaySchema } },
      handler: async ({ params, query, context }) => {
        const { projectId } = projectOf(context);
        const run = await deps.queries.get(projectId, params.id);
        if (!run) throw notFound('run_not_found', 'Run not found', 'No such run in the project.');
        const documentStep = documentStepOf(run, params.step);
        // A wait has attempts of its own (its time is recorded) but no action to call again.
        if (documentStep.wait !== undefined || documentStep.action === '') {
          throw new HttpProblem(409, 'step_calls_no_action', 'Nothing to replay', 'The step waits (for a signal or a time) instead of calling an action: there is nothing to replay.');
        }
        const row = run.steps.find((candidate) => candidate.step_id === params.step);
        const attempts = row ? await deps.queries.logs(run.id, params.step) : [];
        const attempt = query.attempt === undefined ? attempts.at(-1) : attempts.find((candidate) => candidate.attempt === query.attempt);
        if (!row || !attempt) {
          throw notFound('attempt_not_found', 'Attempt not found', query.attempt === undefined ? 'The step has no attempt (it never called its action).' : `The step has no attempt ${query.attempt}.`);
        }
        if (row.inputs === null || row.inputs === undefined) {
          throw new HttpProblem(409, 'inputs_not_recorded', 'Inputs not recorded', 'The step never called its action (its inputs could not be resolved): there is nothing to replay.');
        }
        const pin = run.actions.find((candidate) => `${candidate.actionId}@${candidate.version}` === documentStep.action)
          ?? run.actions.find((candidate) => candidate.actionId === documentStep.action);
        if (!pin) throw new Error(`run ${run.id}: step ${params.step} names ${documentStep.action}, which its version does not pin`);
        const prefix = deps.runsPrefix(projectId);
        const recorded = await restoreRecord(row.inputs as Record<string, JsonValue>, deps.getText, prefix);
        const secrets = secretInputs(recorded, documentStep.inputs, pin.inputs);
        const inputs = await inputsView(recorded, secrets, prefix, deps.downloadUrl);
        const outputs = attempt.status === 'succeeded' && row.outputs
          ? shownRecord(maskPasswords(await restoreRecord(row.outputs as Record<string, JsonValue>, deps.getText, prefix), pin.outputs))
          : null;
        const durationMs = attempt.finished_at ? attempt.finished_at.getTime() - attempt.started_at.getTime() : null;
        return {
          status: 200,
          headers: { 'cache-control': 'no-store' },
          body: {
            run_id: run.id, step: params.step, attempt: attempt.attempt, action: { id: pin.actionId, version: pin.version, digest: pin.digest }, inputs, secrets,
            recorded: { status: attempt.status, error: attempt.error as z.infer<typeof errorSchema>, outputs, stdout: attempt.stdout, stderr: attempt.stderr, duration_ms: durationMs },
          },
        };
      },
    }),
  ];
}
