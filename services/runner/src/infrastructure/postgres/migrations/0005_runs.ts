import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Runs (issue 11): one row per run, one per step of it (its outcome recorded once: the primary
 * key), one per attempt (its logs and error), and one per runner process boot (its heartbeat is
 * the lease of the runs it owns; `owner_epoch` is the fencing token bumped at every takeover).
 * A run keeps the deployed version it started on. Every row goes with its project.
 */
export const runs: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('runner_processes')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('host', 'text', (c) => c.notNull())
      .addColumn('pid', 'integer', (c) => c.notNull())
      .addColumn('started_at', 'timestamptz', (c) => c.notNull())
      .addColumn('heartbeat_at', 'timestamptz', (c) => c.notNull())
      .addColumn('stopped_at', 'timestamptz')
      .execute();
    await db.schema
      .createTable('runs')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('workflow_id', 'uuid', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('queued', 'running', 'succeeded', 'failed', 'canceled')`))
      .addColumn('trigger_type', 'text', (c) => c.notNull().check(sql`trigger_type in ('http', 'manual', 'schedule', 'action')`))
      .addColumn('trigger_outputs', 'json', (c) => c.notNull())
      .addColumn('results', 'json')
      .addColumn('error', 'jsonb')
      .addColumn('owner', 'uuid')
      .addColumn('owner_epoch', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('idempotency_key', 'text')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull())
      .addColumn('started_at', 'timestamptz')
      .addColumn('finished_at', 'timestamptz')
      .addForeignKeyConstraint('runs_version_fk', ['workflow_id', 'version'], 'deployed_versions', ['workflow_id', 'version'], (c) => c.onDelete('cascade'))
      .execute();
    await db.schema.createIndex('runs_project_created_idx').on('runs').columns(['project_id', 'created_at desc', 'id desc']).execute();
    await db.schema.createIndex('runs_workflow_created_idx').on('runs').columns(['workflow_id', 'created_at desc', 'id desc']).execute();
    await db.schema.createIndex('runs_unfinished_idx').on('runs').columns(['owner', 'status']).where(sql.ref('status'), 'in', sql`('queued', 'running')`).execute();
    await db.schema.createIndex('runs_idempotency_unique').on('runs').columns(['project_id', 'workflow_id', 'idempotency_key']).unique()
      .where(sql.ref('idempotency_key'), 'is not', null).execute();
    await db.schema
      .createTable('step_runs')
      .addColumn('run_id', 'uuid', (c) => c.notNull().references('runs.id').onDelete('cascade'))
      .addColumn('step_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('waiting', 'running', 'succeeded', 'failed', 'skipped', 'canceled')`))
      .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('inputs', 'json')
      .addColumn('outputs', 'json')
      .addColumn('error', 'jsonb')
      .addColumn('started_at', 'timestamptz')
      .addColumn('finished_at', 'timestamptz')
      .addPrimaryKeyConstraint('step_runs_pk', ['run_id', 'step_id'])
      .execute();
    await db.schema
      .createTable('step_attempts')
      .addColumn('run_id', 'uuid', (c) => c.notNull().references('runs.id').onDelete('cascade'))
      .addColumn('step_id', 'text', (c) => c.notNull())
      .addColumn('attempt', 'integer', (c) => c.notNull().check(sql`attempt >= 1`))
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('running', 'succeeded', 'failed', 'canceled')`))
      .addColumn('error', 'jsonb')
      .addColumn('stdout', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('stderr', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('logs_truncated', 'boolean', (c) => c.notNull().defaultTo(false))
      .addColumn('started_at', 'timestamptz', (c) => c.notNull())
      .addColumn('finished_at', 'timestamptz')
      .addPrimaryKeyConstraint('step_attempts_pk', ['run_id', 'step_id', 'attempt'])
      .execute();
  },
};
