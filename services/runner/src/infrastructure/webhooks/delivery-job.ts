import type { JsonValue } from '@trellis/kernel/io';
import type { Logger } from '@trellis/platform/logger';
import { listenForNotifications } from '@trellis/platform/postgres/listener';
import { startWokenLoop } from '@trellis/platform/woken-loop';
import { restoreRecord } from '../../application/large-values.js';
import { afterAttempt, type AttemptOutcome, type NextStep, type WebhookRetryPolicy } from '../../domain/webhook-delivery.js';
import { shownRecord } from '../http/value-views.js';
import { WEBHOOKS_CHANNEL } from '../postgres/migrations/0011_webhooks.js';
import type { ClaimedDelivery, EndedRun, WebhookStore } from '../postgres/webhook-store.js';
import { postWebhook, type WebhookRequest } from './post-webhook.js';
import { signatureOf } from './signature.js';
import type { UrlGuardOptions } from './url-guard.js';
import type { WebhookSecrets } from './webhook-secrets.js';

export type DeliveryJobOptions = {
  store: WebhookStore;
  secrets: Pick<WebhookSecrets, 'current'>;
  policy: WebhookRetryPolicy;
  guard: UrlGuardOptions;
  timeoutMs: number;
  /** Reads a value the run keeps in the object store for its size, under the project's runs only. */
  getText: (object: string) => Promise<string>;
  runsPrefix: (projectId: string) => string;
  random: () => number;
  connectionString: string;
  logger: Logger;
  /** The slow fallback when no notice comes (default 30 s); due retries wake the loop on their own timer. */
  pollMs?: number;
  /** Deliveries sent at once by this process (default 8). */
  concurrency?: number;
};

/** The JSON a receiver gets: the run as the run detail shows it, large values read back in full. */
async function bodyOf(run: EndedRun, delivery: ClaimedDelivery, options: Pick<DeliveryJobOptions, 'getText' | 'runsPrefix'>): Promise<string> {
  const results = run.results === null ? null : shownRecord(await restoreRecord(run.results, options.getText, options.runsPrefix(delivery.projectId)));
  return JSON.stringify({
    delivery_id: delivery.id, run_id: run.id, workflow_id: run.workflowId, workflow: run.workflowName, version: run.version, status: run.status,
    results, error: run.error, started_at: run.startedAt?.toISOString() ?? null, finished_at: run.finishedAt?.toISOString() ?? null,
  } satisfies Record<string, JsonValue>);
}

async function requestOf(delivery: ClaimedDelivery, run: EndedRun, options: DeliveryJobOptions): Promise<WebhookRequest> {
  const body = await bodyOf(run, delivery, options);
  const timestamp = Math.floor(Date.now() / 1000);
  const secret = await options.secrets.current(delivery.projectId, delivery.workflowId);
  return {
    url: delivery.url, body,
    headers: {
      'content-type': 'application/json', 'user-agent': 'Trellis-Webhooks/1', 'trellis-delivery': delivery.id,
      'trellis-timestamp': String(timestamp), 'trellis-signature': signatureOf(secret, timestamp, body),
    },
  };
}

const originOf = (url: string): string => {
  try {
    return new URL(url).origin;
  } catch {
    return '(not a URL)';
  }
};

/** How long a claimed delivery is left to its process before another may take it (the attempt's timeout plus a margin). */
const claimMsOf = (timeoutMs: number) => timeoutMs + 30_000;

/**
 * The delivery loop of a runner process: woken by the notice a run's end sends (trigger of
 * migration 0011), by a timer at the next due retry, and otherwise every `pollMs`. Each pass
 * claims due deliveries (skip locked), sends them at once, records each attempt and what follows
 * (delivered, a retry at its time, failed). Stopping aborts the requests in flight; their
 * deliveries are due again at once for the next process.
 */
export function startWebhookDelivery(options: DeliveryJobOptions): { stop: () => Promise<void>; wake: () => void } {
  const { logger, store } = options;
  const concurrency = options.concurrency ?? 8;
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;

  const attempt = async (delivery: ClaimedDelivery): Promise<AttemptOutcome> => {
    const run = await store.endedRun(delivery.runId);
    if (!run) return { kind: 'refused', error: 'the run no longer exists' };
    let request: WebhookRequest;
    try {
      request = await requestOf(delivery, run, options);
    } catch (error) {
      // A secret that does not open, a large value that cannot be read: recorded and retried like a receiver that did not answer.
      return { kind: 'unreachable', error: `not sent: ${(error as Error).message}`.slice(0, 500) };
    }
    return postWebhook(request, { ...options.guard, timeoutMs: options.timeoutMs, signal: stopping.signal });
  };

  const deliver = async (delivery: ClaimedDelivery): Promise<void> => {
    const log = logger.child({ delivery_id: delivery.id, run_id: delivery.runId, workflow_id: delivery.workflowId, attempt: delivery.attempt });
    const started = Date.now();
    const outcome = await attempt(delivery);
    const next: NextStep = stopping.signal.aborted && outcome.kind === 'unreachable'
      ? { status: 'pending', nextAttemptAt: new Date() }
      : afterAttempt(options.policy, { attemptsInRound: delivery.attemptsInRound, startedAt: delivery.roundStartedAt }, outcome, new Date(), options.random);
    const durationMs = Date.now() - started;
    await store.recordAttempt(delivery, {
      durationMs, statusCode: outcome.kind === 'answered' ? outcome.statusCode : null, error: outcome.kind === 'answered' ? null : outcome.error,
    }, next);
    // Only the URL's origin (a path or query may be a credential, as in chat webhooks); never the body, which may hold the run's secrets.
    const fields = { origin: originOf(delivery.url), duration_ms: durationMs, outcome: outcome.kind, status_code: outcome.kind === 'answered' ? outcome.statusCode : null, next: next.status };
    if (next.status === 'failed') log.warn('webhook delivery failed for good', { ...fields, error: outcome.kind === 'answered' ? null : outcome.error });
    else log.info('webhook attempt', fields);
  };

  const loop = startWokenLoop({
    pollMs: options.pollMs ?? 30_000,
    backoff: { baseMs: 500, maxMs: 30_000 },
    onError: (error, retryInMs) => logger.warn('webhook deliveries cannot be read or recorded; retrying', { error: (error as Error).message, retry_in_ms: retryInMs }),
    step: async () => {
      const claimed = await store.claimDue(concurrency, claimMsOf(options.timeoutMs));
      const ended = await Promise.allSettled(claimed.map(deliver));
      const failed = ended.find((result) => result.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      if (claimed.length >= concurrency) return true;
      await armTimer();
      return false;
    },
  });

  async function armTimer(): Promise<void> {
    const due = await store.nextDueAt();
    if (timer) clearTimeout(timer);
    if (due === undefined || stopping.signal.aborted) return;
    timer = setTimeout(loop.wake, Math.max(0, Math.min(due.getTime() - Date.now(), 2 ** 31 - 1)));
    timer.unref();
  }

  const listener = listenForNotifications({ connectionString: options.connectionString, channel: WEBHOOKS_CHANNEL, onNotify: loop.wake, logger });
  return {
    wake: loop.wake,
    stop: async () => {
      stopping.abort();
      if (timer) clearTimeout(timer);
      await listener.close();
      await loop.stop();
    },
  };
}
