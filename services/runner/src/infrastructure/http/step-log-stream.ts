import { Readable } from 'node:stream';

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

const event = (fields: { id?: number; event: string; data: string }) =>
  `${fields.id === undefined ? '' : `id: ${fields.id}\n`}event: ${fields.event}\ndata: ${fields.data}\n\n`;

/**
 * A step's logs as Server-Sent Events: each ended attempt after `after` (the client's
 * Last-Event-ID) as one `attempt` event whose id is its number and whose data is the attempt with
 * its stdout and stderr, then the next ones as they are recorded (polled every `pollMs`); once the
 * step is done and every attempt is sent, an `end` event with the step's status. A comment every
 * `keepaliveMs` of quiet keeps proxies from closing the stream; a client that goes away stops the
 * polling (koa destroys the stream).
 */
export function streamStepLogs(source: StepLogSource, after: number, options: StepLogStreamOptions): Readable {
  const keepaliveMs = options.keepaliveMs ?? 15_000;
  const openedAt = Date.now();
  let sent = after;
  let timer: NodeJS.Timeout | undefined;
  let reading = false;
  let quietSince = Date.now();
  const poll = () => {
    reading = true;
    void next().finally(() => (reading = false));
  };
  const stream = new Readable({
    read() {
      if (!reading && !timer) poll();
    },
    destroy(error, callback) {
      clearTimeout(timer);
      timer = undefined;
      callback(error);
    },
  });
  // Sent at once, so the client has the answer's headers before the first attempt ends.
  stream.push(': step logs\n\n');
  const later = () => {
    timer = setTimeout(() => {
      timer = undefined;
      if (!stream.destroyed) poll();
    }, options.pollMs);
  };
  const finish = (chunk: string) => {
    stream.push(chunk);
    stream.push(null);
  };
  async function next(): Promise<void> {
    try {
      const page = await source(sent);
      if (stream.destroyed) return;
      if (!page) return finish(event({ event: 'end', data: JSON.stringify({ status: 'deleted' }) }));
      const chunk = page.attempts.map((attempt) => event({ id: attempt.attempt, event: 'attempt', data: JSON.stringify(attempt) })).join('');
      sent = page.attempts.at(-1)?.attempt ?? sent;
      if (page.done && page.attempts.length === 0) return finish(event({ event: 'end', data: JSON.stringify({ status: page.status }) }));
      if (options.closing() || Date.now() - openedAt > options.maxMs) return finish(`${chunk}retry: 1000\n\n`);
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
