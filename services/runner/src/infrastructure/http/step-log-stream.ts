import type { Readable } from 'node:stream';
import { pollingEventStream } from '@trellis/platform/http/event-stream';

/** What one poll of a step's logs finds: the attempts ended after the one asked for, and whether the step is done. */
export type StepLogPage = { readonly attempts: readonly { readonly attempt: number }[]; readonly done: boolean; readonly status: string };
export type StepLogSource = (after: number) => Promise<StepLogPage | undefined>;

export type StepLogStreamOptions = {
  pollMs: number;
  /** True once the server stops: the stream ends with `retry:` (the client comes back with Last-Event-ID). */
  closing: () => boolean;
  /** A stream open this long ends the same way, so no connection is held for ever. */
  maxMs: number;
  keepaliveMs?: number;
};

const end = (status: string) => ({ event: 'end', data: JSON.stringify({ status }) });

/**
 * A step's logs as Server-Sent Events: each ended attempt after `after` (the client's
 * Last-Event-ID) as one `attempt` event whose id is its number and whose data is the attempt with
 * its stdout and stderr, then the next ones as they are recorded; once the step is done and every
 * attempt is sent, an `end` event with the step's status (`deleted` when the run is gone).
 */
export function streamStepLogs(source: StepLogSource, after: number, options: StepLogStreamOptions): Readable {
  return pollingEventStream(async (sent) => {
    const page = await source(sent);
    if (!page) return { events: [], end: end('deleted') };
    return {
      events: page.attempts.map((attempt) => ({ id: attempt.attempt, event: 'attempt', data: JSON.stringify(attempt) })),
      ...(page.done ? { end: end(page.status) } : {}),
    };
  }, after, { ...options, greeting: 'step logs' });
}
