import { Readable } from 'node:stream';

/** One Server-Sent Event; `data` holds no newline. */
export type StreamEvent = { readonly id?: number; readonly event?: string; readonly data: string };

/**
 * What one poll finds after the last id sent: the new events, and `end` once nothing more will
 * come (sent, and the stream closed, when a poll finds no new event).
 */
export type EventPage = { readonly events: readonly StreamEvent[]; readonly end?: StreamEvent };

export type EventStreamOptions = {
  pollMs: number;
  /** True once the server stops: the stream ends with `retry:` (the client comes back with Last-Event-ID). */
  closing: () => boolean;
  /** A stream open this long ends the same way, so no connection is held for ever. */
  maxMs?: number;
  keepaliveMs?: number;
  /** The comment sent at once, so the client has the answer's headers before the first event. */
  greeting: string;
};

const format = (fields: StreamEvent) =>
  `${fields.id === undefined ? '' : `id: ${fields.id}\n`}${fields.event ? `event: ${fields.event}\n` : ''}data: ${fields.data}\n\n`;

/**
 * Server-Sent Events read by polling: every event after `after` (the client's Last-Event-ID),
 * then new ones as `poll` finds them every `pollMs`, then the end event. A comment every
 * `keepaliveMs` of quiet keeps proxies from closing the stream; a client that goes away stops the
 * polling (koa destroys the stream).
 */
export function pollingEventStream(poll: (after: number) => Promise<EventPage>, after: number, options: EventStreamOptions): Readable {
  const keepaliveMs = options.keepaliveMs ?? 15_000;
  const openedAt = Date.now();
  let sent = after;
  let timer: NodeJS.Timeout | undefined;
  let reading = false;
  let quietSince = Date.now();
  const read = () => {
    reading = true;
    void next().finally(() => (reading = false));
  };
  const stream = new Readable({
    read() {
      if (!reading && !timer) read();
    },
    destroy(error, callback) {
      clearTimeout(timer);
      timer = undefined;
      callback(error);
    },
  });
  stream.push(`: ${options.greeting}\n\n`);
  const later = () => {
    timer = setTimeout(() => {
      timer = undefined;
      if (!stream.destroyed) read();
    }, options.pollMs);
  };
  const finish = (chunk: string) => {
    stream.push(chunk);
    stream.push(null);
  };
  async function next(): Promise<void> {
    try {
      const page = await poll(sent);
      if (stream.destroyed) return;
      if (page.end && page.events.length === 0) return finish(format(page.end));
      const chunk = page.events.map(format).join('');
      sent = page.events.at(-1)?.id ?? sent;
      if (options.closing() || (options.maxMs !== undefined && Date.now() - openedAt > options.maxMs)) return finish(`${chunk}retry: 1000\n\n`);
      if (chunk !== '') {
        quietSince = Date.now();
        if (stream.push(chunk)) later();
        return;
      }
      if (Date.now() - quietSince > keepaliveMs) {
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
