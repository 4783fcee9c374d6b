import { Readable } from 'node:stream';
import type { LogPage } from '../postgres/build-log-store.js';

export type LogSource = (after: number) => Promise<LogPage | undefined>;

const FINISHED = new Set(['succeeded', 'failed', 'canceled']);
const KEEPALIVE_MS = 15_000;

/** One Server-Sent Event; a line of the log is one `data:` field (it holds no newline). */
const event = (fields: { id?: number; event?: string; data: string }) =>
  `${fields.id === undefined ? '' : `id: ${fields.id}\n`}${fields.event ? `event: ${fields.event}\n` : ''}data: ${fields.data}\n\n`;

/**
 * A build's log as Server-Sent Events: every line after `after` (the client's Last-Event-ID), one
 * event each with its line number as id, then the new ones as they come, polling every `pollMs`;
 * when the build has ended and every line is sent, an `end` event with its state, and the stream
 * ends. A client that goes away stops the polling (koa destroys the stream).
 */
export function streamLog(source: LogSource, after: number, options: { pollMs: number; closing: () => boolean }): Readable {
  let sent = after;
  let timer: NodeJS.Timeout | undefined;
  let reading = false;
  let quietSince = Date.now();
  const stream = new Readable({
    read() {
      if (reading || timer) return;
      reading = true;
      void next().finally(() => (reading = false));
    },
    destroy(error, callback) {
      clearTimeout(timer);
      timer = undefined;
      callback(error);
    },
  });
  // Sent at once, so the client has the answer's headers before the first line.
  stream.push(': build log\n\n');
  const later = () => {
    timer = setTimeout(() => {
      timer = undefined;
      if (stream.destroyed) return;
      reading = true;
      void next().finally(() => (reading = false));
    }, options.pollMs);
  };
  async function next(): Promise<void> {
    try {
      const page = await source(sent);
      if (stream.destroyed) return;
      if (!page) {
        stream.push(event({ event: 'end', data: JSON.stringify({ state: 'deleted' }) }));
        stream.push(null);
        return;
      }
      const chunk = page.lines.map((line) => event({ id: line.no, data: line.text })).join('');
      sent = page.lines.at(-1)?.no ?? sent;
      if (FINISHED.has(page.state) && page.lines.length === 0) {
        stream.push(event({ event: 'end', data: JSON.stringify({ state: page.state }) }));
        stream.push(null);
        return;
      }
      if (options.closing()) {
        // The server is stopping: the client reconnects (with Last-Event-ID) to another replica or later.
        stream.push(chunk + 'retry: 1000\n\n');
        stream.push(null);
        return;
      }
      if (chunk !== '') {
        quietSince = Date.now();
        if (stream.push(chunk)) later();
        return;
      }
      // Nothing new for a while: a comment keeps proxies from closing an idle stream.
      if (Date.now() - quietSince > KEEPALIVE_MS) {
        quietSince = Date.now();
        stream.push(': waiting\n\n');
      }
      later();
    } catch (error) {
      stream.destroy(error as Error);
    }
  }
  return stream;
}
