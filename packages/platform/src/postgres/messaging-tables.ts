import { sql, type Generated, type Kysely } from 'kysely';

/**
 * The outbox and inbox tables every service keeps in its own database. A service's first
 * migration creates them; their columns are the contract of outbox.ts and inbox.ts.
 */
export type OutboxTable = {
  seq: Generated<number>;
  message_id: string;
  exchange: string;
  message_type: string;
  payload: Uint8Array;
  headers: Generated<Record<string, string>>;
  occurred_at: Date;
  created_at: Generated<Date>;
  sent_at: Date | null;
  attempts: Generated<number>;
  last_error: string | null;
};

export type InboxTable = {
  consumer: string;
  message_id: string;
  message_type: string;
  received_at: Generated<Date>;
};

export type MessagingTables = { outbox: OutboxTable; inbox: InboxTable };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on an untyped schema
export async function createMessagingTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('outbox')
    .addColumn('seq', 'bigserial', (c) => c.primaryKey())
    .addColumn('message_id', 'uuid', (c) => c.notNull().unique())
    .addColumn('exchange', 'text', (c) => c.notNull())
    .addColumn('message_type', 'text', (c) => c.notNull())
    .addColumn('payload', 'bytea', (c) => c.notNull())
    .addColumn('headers', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .execute();
  await sql`create index outbox_unsent on outbox (seq) where sent_at is null`.execute(db);
  await sql`create index outbox_sent_at on outbox (sent_at) where sent_at is not null`.execute(db);

  await db.schema
    .createTable('inbox')
    .addColumn('consumer', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('message_type', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('inbox_pkey', ['consumer', 'message_id'])
    .execute();
  await sql`create index inbox_received_at on inbox (received_at)`.execute(db);
}
