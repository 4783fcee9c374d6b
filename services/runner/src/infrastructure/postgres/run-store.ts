import { sql, type CompiledQuery, type Kysely } from 'kysely';
import type { JsonValue } from '@trellis/kernel/io';
import type { AttemptRow, ClaimedRun, RunEndRow, RunStore, StepRow, StoredEnd, TransitionWrite } from '../../application/run-store.js';
import type { PinnedAction, StaticFile } from '../../domain/deployment.js';
import type { PersistedStep, RunError, StepError } from '../../domain/run.js';
import { makeGroupCommitter } from './committer.js';
import { mergeTransitions } from './merge-transitions.js';
import { compileOnce, unnamedOn, type NamedQueries } from './named-queries.js';
import type { Database } from './schema.js';

/*
 * The engine's rows. A transition is one statement (data-modifying CTEs over a jsonb batch), so
 * a batch of transitions of many runs is one round trip and one commit. Its fence: the run row
 * locked (FOR UPDATE) while this process owns it with the transition's epoch and it is running,
 * and every step whose outcome it records still running with that attempt; a transition that
 * fails its fence writes nothing and is answered `fenced`.
 */

const stepJson = (row: StepRow) => ({
  step: row.step, status: row.status, attempt: row.attempt, inputs: row.inputs, outputs: row.outputs, error: row.error,
  started_at: row.startedAt?.toISOString() ?? null, finished_at: row.finishedAt?.toISOString() ?? null, retry_at: row.retryAt?.toISOString() ?? null,
});

const attemptJson = (row: AttemptRow) => ({
  step: row.step, attempt: row.attempt, status: row.status, error: row.error,
  stdout: row.logs?.stdout ?? '', stderr: row.logs?.stderr ?? '', truncated: row.logs?.truncated ?? false,
  started_at: row.startedAt.toISOString(), finished_at: row.finishedAt?.toISOString() ?? null,
});

const endJson = (end: RunEndRow | undefined) => (end ? { status: end.status, results: end.results, error: end.error, at: end.at.toISOString() } : null);

/**
 * The transition statement of this process, compiled once (only the payload of a batch changes;
 * a batch is a step of a sequential run).
 */
export function transitionStatement(db: Kysely<Database>, owner: string): (payload: string) => CompiledQuery<{ i: number; applied: boolean }> {
  const statement = compileOnce<{ payload: string }, { i: number; applied: boolean }>(db as Kysely<unknown>, ['payload'], (slot) => sql`
    with t as (
      select * from jsonb_to_recordset(${slot.payload}::jsonb) as t(i int, run uuid, epoch bigint, expect jsonb, steps jsonb, attempts jsonb, ending jsonb)
    ),
    fenced as (
      select t.i, t.run from runs r join t on r.id = t.run
      where r.owner = ${owner}::uuid and r.owner_epoch = t.epoch and r.status = 'running'
      order by r.id
      for update of r
    ),
    valid as (
      select f.i, f.run, t.steps, t.attempts, t.ending from fenced f join t on t.i = f.i
      where not exists (
        select 1 from jsonb_to_recordset(t.expect) as e(step text, attempt int)
        where not exists (select 1 from step_runs s where s.run_id = f.run and s.step_id = e.step and s.attempt = e.attempt and s.status = 'running'))
    ),
    steps_written as (
      insert into step_runs as s (run_id, step_id, status, attempt, inputs, outputs, error, started_at, finished_at, retry_at)
      select v.run, x.step, x.status, x.attempt, x.inputs, x.outputs, x.error, x.started_at, x.finished_at, x.retry_at
      from valid v cross join jsonb_to_recordset(v.steps)
        as x(step text, status text, attempt int, inputs json, outputs json, error jsonb, started_at timestamptz, finished_at timestamptz, retry_at timestamptz)
      on conflict (run_id, step_id) do update set status = excluded.status, attempt = excluded.attempt, inputs = excluded.inputs, outputs = excluded.outputs,
        error = excluded.error, started_at = excluded.started_at, finished_at = excluded.finished_at, retry_at = excluded.retry_at
      returning 1
    ),
    attempts_written as (
      insert into step_attempts as a (run_id, step_id, attempt, status, error, stdout, stderr, logs_truncated, started_at, finished_at)
      select v.run, x.step, x.attempt, x.status, x.error, x.stdout, x.stderr, x.truncated, x.started_at, x.finished_at
      from valid v cross join jsonb_to_recordset(v.attempts) as x(step text, attempt int, status text, error jsonb, stdout text, stderr text, truncated boolean, started_at timestamptz, finished_at timestamptz)
      on conflict (run_id, step_id, attempt) do update set status = excluded.status, error = excluded.error, finished_at = excluded.finished_at,
        stdout = case when excluded.stdout = '' then a.stdout else excluded.stdout end,
        stderr = case when excluded.stderr = '' then a.stderr else excluded.stderr end,
        logs_truncated = a.logs_truncated or excluded.logs_truncated
      returning 1
    ),
    ended as (
      update runs r set status = x.status, results = x.results, error = x.error, finished_at = x.at
      from valid v cross join jsonb_to_record(v.ending) as x(status text, results json, error jsonb, at timestamptz)
      where r.id = v.run and jsonb_typeof(v.ending) = 'object'
      returning 1
    )
    select t.i, exists (select 1 from valid v where v.i = t.i) as applied from t order by t.i`);
  return (payload) => statement({ payload });
}

/** One run to create, as the batch statement reads it (JSON texts stay texts: their key order is the caller's). */
type CreateItem = {
  i: number; id: string; project_id: string; workflow_id: string; version: number; key: string | null; at: string; end_status: string | null; trigger_type: string;
  trigger_outputs: unknown; results: unknown; error: unknown; finished_at: string | null; rerun_of: string | null; steps: unknown[]; attempts: unknown[];
};

type CreateRow = { i: number; created: string | null; epoch: number | null; existing: string | null; serving: boolean };

/**
 * Runs' creation with their first rows, a batch in one statement (compiled once per store). Runs
 * started at the same time share one commit, as transitions do (DESIGN 8.3): at 32 callers of a
 * one-step workflow, one commit per creation was most of Postgres's work. `on conflict do
 * nothing` covers both the idempotency key and the primary key (two schedulers firing one tick
 * choose the same id): such a run is neither created nor failed, and the caller looks it up.
 */
function createRunsStatement(db: Kysely<Database>, owner: string) {
  return compileOnce<{ payload: string }, CreateRow>(db as Kysely<unknown>, ['payload'], (v) => sql`
    with input as (
      select * from json_to_recordset(${v.payload}::json) as x(i int, id uuid, project_id uuid, workflow_id uuid, version int, key text, at timestamptz,
        end_status text, trigger_type text, trigger_outputs json, results json, error jsonb, finished_at timestamptz, rerun_of uuid, steps json, attempts json)
    ),
    existing as (
      select n.i, r.id from input n join runs r on r.project_id = n.project_id and r.workflow_id = n.workflow_id and r.idempotency_key = n.key
    ),
    serving as (
      select n.i from input n join deployments d on d.workflow_id = n.workflow_id and d.project_id = n.project_id and d.serving_version = n.version
      for share of d
    ),
    created as (
      insert into runs (id, project_id, workflow_id, version, status, trigger_type, trigger_outputs, results, error, owner, owner_epoch, idempotency_key, created_at, started_at, finished_at, rerun_of)
      select n.id, n.project_id, n.workflow_id, n.version, coalesce(n.end_status, 'running'), n.trigger_type, n.trigger_outputs, n.results, n.error,
        ${owner}::uuid, 1, n.key, n.at, n.at, n.finished_at, n.rerun_of
      from input n
      where n.i in (select i from serving) and n.i not in (select i from existing)
      order by n.i
      on conflict do nothing
      returning id, owner_epoch
    ),
    steps as (
      insert into step_runs (run_id, step_id, status, attempt, inputs, outputs, error, started_at, finished_at)
      select c.id, x.step, x.status, x.attempt, x.inputs, x.outputs, x.error, x.started_at, x.finished_at
      from created c join input n on n.id = c.id cross join jsonb_to_recordset(n.steps::jsonb)
        as x(step text, status text, attempt int, inputs json, outputs json, error jsonb, started_at timestamptz, finished_at timestamptz)
      returning 1
    ),
    attempts as (
      insert into step_attempts (run_id, step_id, attempt, status, error, stdout, stderr, logs_truncated, started_at, finished_at)
      select c.id, x.step, x.attempt, x.status, x.error, x.stdout, x.stderr, x.truncated, x.started_at, x.finished_at
      from created c join input n on n.id = c.id cross join jsonb_to_recordset(n.attempts::jsonb)
        as x(step text, attempt int, status text, error jsonb, stdout text, stderr text, truncated boolean, started_at timestamptz, finished_at timestamptz)
      returning 1
    )
    select n.i, c.id as created, c.owner_epoch as epoch, e.id as existing, exists (select 1 from serving s where s.i = n.i) as serving
    from input n left join created c on c.id = n.id left join existing e on e.i = n.i
    order by n.i`);
}

/** Creates a batch of runs in one statement; one row per run, in order. */
async function createRuns(named: NamedQueries, statement: ReturnType<typeof createRunsStatement>, batch: readonly Omit<CreateItem, 'i'>[]): Promise<CreateRow[]> {
  const rows = await named('runner_create_runs', statement({ payload: JSON.stringify(batch.map((item, i) => ({ i, ...item }))) }));
  const byIndex = new Map(rows.map((row) => [Number(row.i), row]));
  return batch.map((_, i) => byIndex.get(i) ?? { i, created: null, epoch: null, existing: null, serving: false });
}

/** Writes a batch of transitions in one statement; `applied` per transition, in order. */
async function writeTransitions(named: NamedQueries, statement: ReturnType<typeof transitionStatement>, batch: readonly TransitionWrite[]): Promise<boolean[]> {
  const payload = JSON.stringify(batch.map((write, i) => ({
    i, run: write.runId, epoch: write.epoch, expect: write.expect, steps: write.steps.map(stepJson), attempts: write.attempts.map(attemptJson), ending: endJson(write.end),
  })));
  const rows = await named('runner_write_transitions', statement(payload));
  return rows.map((row) => row.applied);
}

function persistedStep(row: {
  step_id: string; status: PersistedStep['status']; attempt: number; outputs: unknown; error: unknown; started_at: Date | null; finished_at: Date | null; retry_at: Date | null;
}): PersistedStep {
  return {
    id: row.step_id, status: row.status, attempt: row.attempt,
    ...(row.outputs !== null ? { outputs: row.outputs as Record<string, JsonValue> } : {}),
    ...(row.error !== null ? { error: row.error as StepError } : {}),
    ...(row.started_at ? { startedAt: row.started_at } : {}), ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
    ...(row.retry_at ? { retryAt: row.retry_at } : {}),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type RunStoreOptions = {
  /** This runner process (runner_processes.id): the owner of what it writes. */
  processId: string;
  /** A run whose owner's heartbeat is older than this may be taken over. */
  leaseMs: number;
  /** Transitions per statement at most. */
  maxBatch?: number;
  /** How the hot statements (a run's creation, a batch of transitions) run; unnamed through `db` when not given. */
  named?: NamedQueries;
};

export function makeRunStore(db: Kysely<Database>, options: RunStoreOptions): RunStore & { drain: () => Promise<void> } {
  const owner = options.processId;
  const named = options.named ?? unnamedOn(db as Kysely<unknown>);
  const transitions = transitionStatement(db, owner);
  const createStatement = createRunsStatement(db, owner);
  const creations = makeGroupCommitter<Omit<CreateItem, 'i'>, CreateRow>({
    write: (batch) => createRuns(named, createStatement, batch), keyOf: (item) => item.id, maxBatch: options.maxBatch ?? 256,
  });
  const committer = makeGroupCommitter<TransitionWrite, boolean>({
    write: (batch) => writeTransitions(named, transitions, batch), keyOf: (write) => write.runId, maxBatch: options.maxBatch ?? 256, merge: mergeTransitions,
  });
  return {
    drain: async () => {
      await creations.drain();
      await committer.drain();
    },
    servingVersion: async (workflowId) => {
      const row = await db.selectFrom('deployments').select(['project_id', 'serving_version']).where('workflow_id', '=', workflowId).executeTakeFirst();
      return row?.serving_version != null ? { projectId: row.project_id, version: row.serving_version } : undefined;
    },
    version: async (workflowId, version) => {
      const row = await db.selectFrom('deployed_versions')
        .select(['workflow_id', 'version', 'project_id', 'name', 'checksum', sql<string>`document::text`.as('document_json'), 'actions', 'files', 'site', 'received_at'])
        .where('workflow_id', '=', workflowId).where('version', '=', version).executeTakeFirst();
      return row ? {
        workflowId: row.workflow_id, version: row.version, projectId: row.project_id, name: row.name, checksum: row.checksum,
        documentJson: row.document_json, actions: row.actions as PinnedAction[], files: row.files as StaticFile[], site: row.site, receivedAt: row.received_at,
      } : undefined;
    },
    create: async (run) => {
      const key = run.idempotencyKey ?? null;
      const existing = async () => (key === null ? undefined : db.selectFrom('runs').select('id')
        .where('project_id', '=', run.projectId).where('workflow_id', '=', run.workflowId).where('idempotency_key', '=', key).executeTakeFirst());
      const at = run.at.toISOString();
      const row = await creations.commit({
        id: run.id, project_id: run.projectId, workflow_id: run.workflowId, version: run.version, key, at, end_status: run.end?.status ?? null, trigger_type: run.triggerType,
        trigger_outputs: run.triggerOutputs, results: run.end?.results ?? null, error: run.end?.error ?? null,
        finished_at: run.end ? at : null, rerun_of: run.rerunOf ?? null, steps: run.steps.map(stepJson), attempts: run.attempts.map(attemptJson),
      });
      if (row.created) return { type: 'created', epoch: Number(row.epoch) };
      if (row.existing) return { type: 'existing', runId: row.existing };
      // The same key committed by a concurrent request after this statement's snapshot.
      const raced = await existing();
      if (raced) return { type: 'existing', runId: raced.id };
      // Served, but its id is another run's: ids are random, or chosen with a key (schedules), so never expected.
      if (row.serving) throw new Error(`run ${run.id} was not created: a run with its id exists`);
      return { type: 'not_serving' };
    },
    commit: async (write) => ((await committer.commit(write)) ? 'applied' : 'fenced'),
    release: async (runId, epoch) => {
      await db.updateTable('runs').set({ owner: null }).where('id', '=', runId).where('owner', '=', owner).where(sql<boolean>`owner_epoch = ${epoch}`).execute();
    },
    claimOrphans: async (limit) => {
      const { rows } = await sql<{ id: string; project_id: string; workflow_id: string; version: number; status: ClaimedRun['status']; trigger_outputs: unknown; owner_epoch: number; started_at: Date | null }>`
        update runs r set owner = ${owner}::uuid, owner_epoch = r.owner_epoch + 1
        where r.id in (
          select o.id from runs o
          where o.status in ('queued', 'running') and o.owner is distinct from ${owner}::uuid
            -- Whether the owner lives, as a scalar subquery: it is asked again of the row another
            -- replica claimed meanwhile (read committed re-checks a locked row that changed). A
            -- join would keep the old owner's process row, and a left join would then match none
            -- and call the new owner dead: two replicas would take the same run.
            and (select p.stopped_at is null and p.heartbeat_at >= now() - make_interval(secs => ${options.leaseMs / 1000})
                 from runner_processes p where p.id = o.owner) is not true
          order by o.created_at
          for update of o skip locked
          limit ${limit})
        returning r.id, r.project_id, r.workflow_id, r.version, r.status, r.trigger_outputs, r.owner_epoch, r.started_at`.execute(db);
      if (rows.length === 0) return [];
      // Inputs only of failed steps: a compensation reads them (`failure.inputs`); a run's other inputs may be thousands of items.
      const steps = await db.selectFrom('step_runs').select(['run_id', 'step_id', 'status', 'attempt', 'outputs', 'error', 'started_at', 'finished_at', 'retry_at'])
        .select(sql<unknown>`case when status = 'failed' then inputs end`.as('failed_inputs'))
        .where('run_id', 'in', rows.map((row) => row.id)).execute();
      return rows.map((row) => ({
        id: row.id, projectId: row.project_id, workflowId: row.workflow_id, version: row.version, epoch: Number(row.owner_epoch), status: row.status,
        triggerOutputs: row.trigger_outputs as Record<string, JsonValue>, ...(row.started_at ? { startedAt: row.started_at } : {}),
        steps: steps.filter((step) => step.run_id === row.id).map(persistedStep),
        failedInputs: Object.fromEntries(steps.filter((step) => step.run_id === row.id && step.failed_inputs !== null)
          .map((step) => [step.step_id, step.failed_inputs as Record<string, JsonValue>])),
      }));
    },
    endOf: async (projectId, runId) => {
      if (!UUID.test(runId)) return undefined;
      const row = await db.selectFrom('runs').select(['status', 'results', 'error']).where('id', '=', runId).where('project_id', '=', projectId).executeTakeFirst();
      if (!row) return undefined;
      if (row.status === 'queued' || row.status === 'running') return null;
      const end: StoredEnd = { status: row.status, results: (row.results ?? null) as StoredEnd['results'], error: (row.error ?? null) as RunError | null };
      return end;
    },
    cancelStored: async (projectId, runId, at) => {
      if (!UUID.test(runId)) return 'not_found';
      const when = at.toISOString();
      const { rows } = await sql<{ canceled: boolean; status: string | null }>`
        with r as (
          update runs set status = 'canceled', finished_at = ${when}::timestamptz, owner_epoch = owner_epoch + 1
          where id = ${runId}::uuid and project_id = ${projectId}::uuid and status in ('queued', 'running') returning id
        ),
        s as (update step_runs set status = 'canceled', finished_at = ${when}::timestamptz where run_id in (select id from r) and status in ('waiting', 'running', 'retrying') returning 1),
        a as (update step_attempts set status = 'canceled', finished_at = ${when}::timestamptz where run_id in (select id from r) and status = 'running' returning 1)
        select exists (select 1 from r) as canceled, (select status from runs where id = ${runId}::uuid and project_id = ${projectId}::uuid) as status`.execute(db);
      const row = rows[0];
      if (row?.canceled) return 'canceled';
      return row?.status ? 'finished' : 'not_found';
    },
    recordSignal: async ({ projectId, runId, name, payload }) => {
      if (!UUID.test(runId)) return 'not_found';
      const { rows } = await sql<{ recorded: boolean; status: string | null }>`
        with r as (select id, status from runs where id = ${runId}::uuid and project_id = ${projectId}::uuid),
        s as (
          insert into run_signals (run_id, name, payload)
          select id, ${name}, ${JSON.stringify(payload)}::jsonb from r where status in ('queued', 'running')
          on conflict (run_id, name) do nothing returning 1
        )
        select exists (select 1 from s) as recorded, (select status from r) as status`.execute(db);
      const row = rows[0];
      if (row?.recorded) return 'recorded';
      if (!row?.status) return 'not_found';
      return row.status === 'queued' || row.status === 'running' ? 'duplicate' : 'finished';
    },
    placeOf: async (projectId, runId) => (UUID.test(runId)
      ? db.selectFrom('runs').select(['workflow_id as workflowId', 'version']).where('id', '=', runId).where('project_id', '=', projectId).executeTakeFirst()
      : undefined),
    signalsOf: async (runId) => {
      const rows = await db.selectFrom('run_signals').select(['name', 'payload']).where('run_id', '=', runId).orderBy('received_at').execute();
      return rows.map((row) => ({ name: row.name, payload: row.payload as Record<string, JsonValue> }));
    },
    unfinished: async (workflowId) => db.selectFrom('runs').select(['id', 'project_id as projectId'])
      .where('workflow_id', '=', workflowId).where('status', 'in', ['queued', 'running']).execute(),
  };
}
