import { sql, type Kysely, type Migration } from 'kysely';

/** Wakes the delivery loop of every runner process (delivered at commit). */
export const WEBHOOKS_CHANNEL = 'trellis_runner_webhooks';

/**
 * Completion webhooks (issue 12). A version's `on_finish.webhook` is copied to
 * `deployed_versions.webhook_url` as the version is recorded (a trigger: no writer can forget it,
 * and no run end parses a document). A run whose status becomes succeeded, failed or canceled
 * gets its pending delivery from a trigger in the same statement that ends it, so a delivery is
 * never lost however the runner dies afterwards, and the engine's hot path is unchanged. Every
 * attempt is a row of its own. Each workflow's signing secret is sealed to the runner's key.
 * Everything goes with its run (retention, deletion) or its project.
 */
export const webhooks: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await db.schema.alterTable('deployed_versions').addColumn('webhook_url', 'text').execute();
    await sql`
      create function runner_version_webhook() returns trigger language plpgsql as $$
      declare url text := new.document -> 'on_finish' ->> 'webhook';
      begin
        new.webhook_url := case when url ~* '^https?://' then url end;
        return new;
      end $$`.execute(db);
    await sql`
      create trigger deployed_versions_webhook before insert or update of document on deployed_versions
      for each row execute function runner_version_webhook()`.execute(db);
    await sql`update deployed_versions set document = document`.execute(db);

    await db.schema
      .createTable('webhook_deliveries')
      .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
      .addColumn('run_id', 'uuid', (c) => c.notNull().unique().references('runs.id').onDelete('cascade'))
      .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('workflow_id', 'uuid', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'delivered', 'failed')`))
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull())
      .addColumn('finished_at', 'timestamptz')
      // A redelivery starts a new round of retries: its bounds count from here.
      .addColumn('round_started_at', 'timestamptz', (c) => c.notNull())
      .addColumn('round_first_attempt', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema.createIndex('webhook_deliveries_due_idx').on('webhook_deliveries').column('next_attempt_at').where(sql.ref('status'), '=', 'pending').execute();
    await db.schema
      .createTable('webhook_attempts')
      .addColumn('delivery_id', 'uuid', (c) => c.notNull().references('webhook_deliveries.id').onDelete('cascade'))
      .addColumn('attempt', 'integer', (c) => c.notNull().check(sql`attempt >= 1`))
      .addColumn('started_at', 'timestamptz', (c) => c.notNull())
      .addColumn('duration_ms', 'integer')
      .addColumn('status_code', 'integer')
      .addColumn('error', 'text')
      .addPrimaryKeyConstraint('webhook_attempts_pk', ['delivery_id', 'attempt'])
      .execute();
    await db.schema
      .createTable('webhook_secrets')
      .addColumn('workflow_id', 'uuid', (c) => c.primaryKey())
      .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('sealed', 'bytea', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .execute();

    // Two triggers so that the WHEN clause keeps every other status change from calling the function at all.
    await sql`
      create function runner_run_ended_webhook() returns trigger language plpgsql as $$
      declare url text;
      begin
        select webhook_url into url from deployed_versions where workflow_id = new.workflow_id and version = new.version;
        if url is not null then
          insert into webhook_deliveries (run_id, project_id, workflow_id, url, status, next_attempt_at, created_at, round_started_at)
          values (new.id, new.project_id, new.workflow_id, url, 'pending', now(), now(), now())
          on conflict (run_id) do nothing;
          perform pg_notify(${sql.lit(WEBHOOKS_CHANNEL)}, '');
        end if;
        return null;
      end $$`.execute(db);
    await sql`
      create trigger runs_ended_webhook_insert after insert on runs
      for each row when (new.status in ('succeeded', 'failed', 'canceled')) execute function runner_run_ended_webhook()`.execute(db);
    await sql`
      create trigger runs_ended_webhook_update after update of status on runs
      for each row when (new.status in ('succeeded', 'failed', 'canceled') and old.status not in ('succeeded', 'failed', 'canceled'))
      execute function runner_run_ended_webhook()`.execute(db);
  },
};
