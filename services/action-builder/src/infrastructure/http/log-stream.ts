import type { Readable } from 'node:stream';
import { pollingEventStream } from '@trellis/platform/http/event-stream';
import type { LogPage } from '../postgres/build-log-store.js';

export type LogSource = (after: number) => Promise<LogPage | undefined>;

const FINISHED = new Set(['succeeded', 'failed', 'canceled']);

const end = (state: string) => ({ event: 'end', data: JSON.stringify({ state }) });

/**
 * A build's log as Server-Sent Events: every line after `after` (the client's Last-Event-ID), one
 * event each with its line number as id (a line holds no newline), then the new ones as they
 * come; when the build has ended and every line is sent, an `end` event with its state
 * (`deleted` when the build is gone), and the stream ends.
 */
export function streamLog(source: LogSource, after: number, options: { pollMs: number; closing: () => boolean }): Readable {
  return pollingEventStream(async (sent) => {
    const page = await source(sent);
    if (!page) return { events: [], end: end('deleted') };
    return {
      events: page.lines.map((line) => ({ id: line.no, data: line.text })),
      ...(FINISHED.has(page.state) ? { end: end(page.state) } : {}),
    };
  }, after, { ...options, greeting: 'build log' });
}
