import { sql, type Kysely, type Transaction } from 'kysely';

/**
 * Records that `consumer` has handled `messageId`, in the handler's own transaction.
 * Returns false when it was already recorded: the delivery is a duplicate and must be skipped.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- works on any schema that has the inbox table
export async function claimInbox(trx: Transaction<any>, consumer: string, messageId: string, messageType: string): Promise<boolean> {
  const result = await sql`
    insert into inbox (consumer, message_id, message_type) values (${consumer}, ${messageId}, ${messageType})
    on conflict do nothing`.execute(trx);
  return Number(result.numAffectedRows ?? 0n) === 1;
}

/** Inbox rows only need to outlive any redelivery; a consumer's older ones are dropped. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function purgeInbox(db: Kysely<any>, consumer: string, olderThan: Date): Promise<number> {
  const result = await sql`delete from inbox where consumer = ${consumer} and received_at < ${olderThan}`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}
