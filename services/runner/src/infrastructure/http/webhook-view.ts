import { z } from 'zod';
import type { DeliveryView } from '../postgres/webhook-store.js';

/** How a run's completion webhook shows in the run detail. */
export const webhookSchema = z.object({
  url: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']).describe('pending: being sent or waiting for its next attempt; failed: given up (redeliver to try again)'),
  attempts: z.array(z.object({
    attempt: z.number().int(), started_at: z.string(),
    duration_ms: z.number().int().nullable().describe('null while the attempt is in flight'),
    status_code: z.number().int().nullable().describe('The receiver\'s HTTP status; null when it gave none'),
    error: z.string().nullable().describe('Why there was no answer (timeout, connection error, a refused URL)'),
  })),
}).nullable().describe('The delivery of the version\'s on_finish webhook, every attempt recorded; null when the version has none');

export function webhookView(delivery: DeliveryView | null): z.infer<typeof webhookSchema> {
  if (delivery === null) return null;
  return {
    url: delivery.url, status: delivery.status,
    attempts: delivery.attempts.map((attempt) => ({ ...attempt, started_at: attempt.started_at.toISOString() })),
  };
}
