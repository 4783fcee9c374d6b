import type { MessagingTables } from '@trellis/platform/postgres/messaging-tables';

/** Build jobs, logs and artifacts arrive with the builder's issue; the outbox and inbox are there from the start. */
export type Database = MessagingTables;
