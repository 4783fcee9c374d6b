import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * Deletes what no rule needs any more: refresh tokens past their expiry (an expired token is
 * refused whether or not its row exists), sessions left without tokens, and throttle counters
 * that are neither locked nor recent. The audit log is kept.
 */
export async function purgeExpired(db: Kysely<Database>, input: { now: Date; forgetThrottleAfterMs: number }): Promise<void> {
  await db.deleteFrom('refresh_tokens').where('expires_at', '<', input.now).execute();
  await db.deleteFrom('sessions')
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('refresh_tokens').select('token_sha256').whereRef('refresh_tokens.session_id', '=', 'sessions.id'))))
    .execute();
  await db.deleteFrom('login_throttle')
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', input.now)]))
    .where((eb) => eb.or([eb('failures', '=', 0), eb('updated_at', '<', new Date(input.now.getTime() - input.forgetThrottleAfterMs))]))
    .execute();
}
