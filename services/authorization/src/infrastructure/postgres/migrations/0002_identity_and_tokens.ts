import { sql, type Kysely, type Migration } from 'kysely';

/** Project titles, sessions and refresh tokens, API keys, signing keys, login throttling and the audit log. */
export const identityAndTokens: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await db.schema.alterTable('projects').addColumn('title', 'text').execute();
    await sql`create index memberships_user on memberships (user_id)`.execute(db);

    await db.schema
      .createTable('sessions')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('project_id', 'uuid', (c) => c.references('projects.id').onDelete('set null'))
      .addColumn('created_at', 'timestamptz', (c) => c.notNull())
      .addColumn('last_used_at', 'timestamptz', (c) => c.notNull())
      .addColumn('revoked_at', 'timestamptz')
      .addColumn('revoked_reason', 'text')
      .execute();
    await sql`create index sessions_user on sessions (user_id)`.execute(db);

    await db.schema
      .createTable('refresh_tokens')
      .addColumn('token_sha256', 'text', (c) => c.primaryKey())
      .addColumn('session_id', 'uuid', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
      .addColumn('issued_at', 'timestamptz', (c) => c.notNull())
      .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
      .addColumn('used_at', 'timestamptz')
      .execute();
    await sql`create index refresh_tokens_session on refresh_tokens (session_id)`.execute(db);
    await sql`create index refresh_tokens_expires_at on refresh_tokens (expires_at)`.execute(db);

    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('viewer', 'operator', 'developer', 'owner')`))
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('secret_sha256', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'timestamptz')
      .addColumn('revoked_at', 'timestamptz')
      .execute();
    await sql`create index api_keys_project on api_keys (project_id, created_at desc, id desc)`.execute(db);

    await db.schema
      .createTable('signing_keys')
      .addColumn('kid', 'text', (c) => c.primaryKey())
      .addColumn('algorithm', 'text', (c) => c.notNull())
      .addColumn('public_jwk', 'jsonb', (c) => c.notNull())
      // AES-256-GCM ciphertext of the private JWK, sealed with TRELLIS_SECRET_KEY: never the key in clear.
      .addColumn('private_key_sealed', 'text', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull())
      .addColumn('retired_at', 'timestamptz')
      .execute();

    await db.schema
      .createTable('login_throttle')
      .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('username', 'address')`))
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('locked_until', 'timestamptz')
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .addPrimaryKeyConstraint('login_throttle_pkey', ['kind', 'value'])
      .execute();

    await db.schema
      .createTable('audit_events')
      .addColumn('id', 'bigserial', (c) => c.primaryKey())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('success', 'failure')`))
      .addColumn('actor_user_id', 'uuid')
      .addColumn('actor_api_key_id', 'uuid')
      .addColumn('project_id', 'uuid')
      .addColumn('target_type', 'text')
      .addColumn('target_id', 'text')
      .addColumn('client_ip', 'text')
      .addColumn('trace_id', 'text', (c) => c.notNull())
      .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
      .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
      .execute();
    await sql`create index audit_events_occurred_at on audit_events (occurred_at desc, id desc)`.execute(db);
    await sql`create index audit_events_type on audit_events (type, id desc)`.execute(db);
    await sql`create index audit_events_project on audit_events (project_id, id desc) where project_id is not null`.execute(db);
    await sql`create index audit_events_actor on audit_events (actor_user_id, id desc) where actor_user_id is not null`.execute(db);
    await sql`create index audit_events_target on audit_events (target_id, id desc) where target_id is not null`.execute(db);
  },
};
