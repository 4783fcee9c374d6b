import { fail, ok, warn, type Check } from './check.js';
import { countText, durationText } from './units.js';

/** A service's unsent outbox rows (packages/platform postgres/outbox.ts: `sent_at is null`). */
export type OutboxBacklog = {
  readonly unsent: number;
  readonly oldestCreatedAt: Date | null;
  readonly maxAttempts: number;
  readonly lastError: string | null;
};

/** The relay publishes a committed row within a second; one waiting this long is late. */
export const OUTBOX_LATE_MS = 30_000;
/** ...and this long, stuck: the service is down or cannot publish. */
export const OUTBOX_STUCK_MS = 5 * 60_000;

export function judgeOutbox(service: string, backlog: OutboxBacklog, now: Date): Check {
  if (backlog.unsent === 0 || backlog.oldestCreatedAt === null) return ok('outbox', service, 'nothing waiting to be published');
  const age = now.getTime() - backlog.oldestCreatedAt.getTime();
  const tried = backlog.maxAttempts > 0 ? `, tried up to ${countText(backlog.maxAttempts, 'time')}` : '';
  const error = backlog.lastError ? `; last error: ${backlog.lastError.slice(0, 200)}` : '';
  const detail = `${countText(backlog.unsent, 'message')} not published yet, the oldest for ${durationText(age)}${tried}${error}`;
  const hint = `${service} publishes them once it runs and reaches the broker: \`trellis-adm status\`, \`trellis-adm logs ${service}\``;
  if (age >= OUTBOX_STUCK_MS) return fail('outbox', service, detail, hint);
  if (age >= OUTBOX_LATE_MS) return warn('outbox', service, detail, hint);
  return ok('outbox', service, detail);
}
