import { sql, type Kysely } from 'kysely';
import type { JsonValue } from '@trellis/kernel/io';
import { pageOf, type Page } from '@trellis/kernel/page';
import type { PinnedAction } from '../../domain/deployment.js';
import type { Database, RunStatus, StepAttemptsTable, StepRunsTable } from './schema.js';
import { deliveryOf, type DeliveryView } from './webhook-store.js';

/** Read-only views of runs and of what HTTP triggers serve (straight from the tables, no domain rule). */

/** A serving workflow version an HTTP trigger starts runs of. */
export type ServedVersion = {
  projectId: string;
  workflowId: string;
  name: string;
  version: number;
  httpPath: string;
  document: JsonValue;
  actions: readonly PinnedAction[];
};

export type RunRow = {
  id: string; projectId: string; workflowId: string; workflowName: string; version: number; status: RunStatus; triggerType: string;
  triggerOutputs: Record<string, JsonValue>; results: Record<string, JsonValue> | null; error: Record<string, JsonValue> | null;
  createdAt: Date; startedAt: Date | null; finishedAt: Date | null;
  /** The run this one re-runs. */
  rerunOf: string | null;
  /** Set by the trigger that started it (a schedule's is `schedule:<tick>`). */
  idempotencyKey: string | null;
};

export type RunDetail = RunRow & {
  document: JsonValue;
  actions: readonly PinnedAction[];
  steps: readonly (Omit<StepRunsTable, 'run_id' | 'inputs' | 'outputs' | 'error' | 'retry_at'> & { inputs: unknown; outputs: unknown; error: unknown; retry_at: Date | null })[];
  attempts: readonly (Omit<StepAttemptsTable, 'run_id' | 'stdout' | 'stderr' | 'error'> & { error: unknown })[];
  /** The completion webhook's delivery (null: the version has none). */
  webhook: DeliveryView | null;
};

export type RunFilter = { workflow?: string; status?: RunStatus; since?: Date; until?: Date };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids come from URLs: anything that is not a uuid names nothing (and never reaches Postgres as one). */
export const isUuid = (value: string): boolean => UUID.test(value);

export function makeRunQueries(db: Kysely<Database>) {
  const served = () => db.selectFrom('projects as p')
    .innerJoin('deployments as d', 'd.project_id', 'p.id')
    .innerJoin('deployed_versions as v', (join) => join.onRef('v.workflow_id', '=', 'd.workflow_id').onRef('v.version', '=', 'd.serving_version'))
    .select(['d.project_id', 'd.workflow_id', 'd.name', 'v.version', 'd.http_path', 'v.document', 'v.actions'])
    .where('d.trigger_type', '=', 'http').where('d.http_path', 'is not', null);
  const toServed = (row: { project_id: string; workflow_id: string; name: string; version: number; http_path: string | null; document: unknown; actions: unknown }): ServedVersion => ({
    projectId: row.project_id, workflowId: row.workflow_id, name: row.name, version: row.version, httpPath: row.http_path ?? '',
    document: row.document as JsonValue, actions: row.actions as PinnedAction[],
  });
  const runs = () => db.selectFrom('runs as r')
    .innerJoin('deployed_versions as v', (join) => join.onRef('v.workflow_id', '=', 'r.workflow_id').onRef('v.version', '=', 'r.version'))
    .select(['r.id', 'r.project_id', 'r.workflow_id', 'v.name', 'r.version', 'r.status', 'r.trigger_type', 'r.trigger_outputs', 'r.results', 'r.error',
      'r.created_at', 'r.started_at', 'r.finished_at', 'r.rerun_of', 'r.idempotency_key']);
  type Row = Awaited<ReturnType<ReturnType<typeof runs>['executeTakeFirstOrThrow']>>;
  const toRun = (row: Row): RunRow => ({
    id: row.id, projectId: row.project_id, workflowId: row.workflow_id, workflowName: row.name, version: row.version, status: row.status,
    triggerType: row.trigger_type, triggerOutputs: (row.trigger_outputs ?? {}) as Record<string, JsonValue>,
    results: row.results as Record<string, JsonValue> | null, error: row.error as Record<string, JsonValue> | null,
    createdAt: row.created_at, startedAt: row.started_at, finishedAt: row.finished_at, rerunOf: row.rerun_of, idempotencyKey: row.idempotency_key,
  });

  return {
    /** The version the project named `projectName` serves at `httpPath` (no project and no path look the same: undefined). */
    servedAt: async (projectName: string, httpPath: string): Promise<ServedVersion | undefined> => {
      const row = await served().where('p.name', '=', projectName).where('d.http_path', '=', httpPath).executeTakeFirst();
      return row ? toServed(row) : undefined;
    },
    /** The version the workflow serves now, if it is the project's and serves one (any trigger). */
    servingOf: async (projectId: string, workflowId: string): Promise<(Omit<ServedVersion, 'httpPath'> & { triggerType: string | null }) | undefined> => {
      if (!isUuid(workflowId)) return undefined;
      const row = await db.selectFrom('deployments as d')
        .innerJoin('deployed_versions as v', (join) => join.onRef('v.workflow_id', '=', 'd.workflow_id').onRef('v.version', '=', 'd.serving_version'))
        .select(['d.project_id', 'd.workflow_id', 'd.name', 'd.trigger_type', 'v.version', 'v.document', 'v.actions'])
        .where('d.project_id', '=', projectId).where('d.workflow_id', '=', workflowId).executeTakeFirst();
      return row ? {
        projectId: row.project_id, workflowId: row.workflow_id, name: row.name, version: row.version, triggerType: row.trigger_type,
        document: row.document as JsonValue, actions: row.actions as PinnedAction[],
      } : undefined;
    },
    /** Every HTTP trigger the project named `projectName` serves, by path. */
    servedBy: async (projectName: string): Promise<ServedVersion[]> =>
      (await served().where('p.name', '=', projectName).orderBy('d.http_path').execute()).map(toServed),

    /** The project's runs, newest first, `limit` after the key `after` ([created_at ISO, id]). */
    list: async (projectId: string, filter: RunFilter, input: { limit: number; after?: readonly [string, string] | undefined }): Promise<Page<RunRow>> => {
      let query = runs().where('r.project_id', '=', projectId);
      const { workflow, status, since, until } = filter;
      if (workflow !== undefined) {
        query = isUuid(workflow)
          ? query.where('r.workflow_id', '=', workflow)
          : query.where('r.workflow_id', 'in', db.selectFrom('deployments').select('workflow_id').where('project_id', '=', projectId).where('name', '=', workflow));
      }
      if (status !== undefined) query = query.where('r.status', '=', status);
      if (since !== undefined) query = query.where('r.created_at', '>=', since);
      if (until !== undefined) query = query.where('r.created_at', '<', until);
      const after = input.after;
      if (after) query = query.where(sql<boolean>`(r.created_at, r.id) < (${new Date(after[0])}::timestamptz, ${after[1]}::uuid)`);
      const rows = await query.orderBy('r.created_at', 'desc').orderBy('r.id', 'desc').limit(input.limit + 1).execute();
      return pageOf(rows.map(toRun), input.limit);
    },

    /** The run (of this project) with its version's document and pins, its steps and their attempts (logs left out). */
    get: async (projectId: string, runId: string): Promise<RunDetail | undefined> => {
      if (!isUuid(runId)) return undefined;
      const row = await runs().select(['v.document', 'v.actions']).where('r.project_id', '=', projectId).where('r.id', '=', runId).executeTakeFirst();
      if (!row) return undefined;
      const [steps, attempts, webhook] = await Promise.all([
        db.selectFrom('step_runs').select(['step_id', 'status', 'attempt', 'inputs', 'outputs', 'error', 'started_at', 'finished_at', 'retry_at']).where('run_id', '=', runId).execute(),
        db.selectFrom('step_attempts').select(['step_id', 'attempt', 'status', 'error', 'logs_truncated', 'started_at', 'finished_at'])
          .where('run_id', '=', runId).orderBy('step_id').orderBy('attempt').execute(),
        deliveryOf(db, runId),
      ]);
      return { ...toRun(row), document: row.document as JsonValue, actions: row.actions as PinnedAction[], steps, attempts, webhook };
    },

    /** The attempts of one step of a run (those after attempt `after`), with their logs. */
    logs: async (runId: string, stepId: string, after = 0) =>
      db.selectFrom('step_attempts').select(['attempt', 'status', 'error', 'stdout', 'stderr', 'logs_truncated', 'started_at', 'finished_at'])
        .where('run_id', '=', runId).where('step_id', '=', stepId).where('attempt', '>', after).orderBy('attempt').execute(),

    /** The status of a run and of one of its steps (null: not reached yet); undefined when the run is gone. */
    stepStatus: async (runId: string, stepId: string): Promise<{ run: RunStatus; step: StepRunsTable['status'] | null } | undefined> => {
      const row = await db.selectFrom('runs as r').leftJoin('step_runs as s', (join) => join.onRef('s.run_id', '=', 'r.id').on('s.step_id', '=', stepId))
        .select(['r.status as run', 's.status as step']).where('r.id', '=', runId).executeTakeFirst();
      return row ? { run: row.run, step: row.step } : undefined;
    },

    /** Deletes a finished run of the project (its steps and attempts cascade): `running` when it has not finished, `missing` when there is none. */
    deleteFinished: async (projectId: string, runId: string): Promise<'deleted' | 'running' | 'missing'> => {
      if (!isUuid(runId)) return 'missing';
      const deleted = await db.deleteFrom('runs').where('project_id', '=', projectId).where('id', '=', runId)
        .where('status', 'in', ['succeeded', 'failed', 'canceled']).returning('id').executeTakeFirst();
      if (deleted) return 'deleted';
      const exists = await db.selectFrom('runs').select('id').where('project_id', '=', projectId).where('id', '=', runId).executeTakeFirst();
      return exists ? 'running' : 'missing';
    },
  };
}

export type RunQueries = ReturnType<typeof makeRunQueries>;
