import { Readable } from 'node:stream';
import { pollingEventStream } from '@trellis/platform/http/event-stream';

/** What one poll of a step's logs finds: the attempts ended after the one asked for, and whether the step is done. */
export type StepLogPage = { readonly attempts: readonly { readonly attempt: number }[]; readonly done: boolean; readonly status: string };
export type StepLogSource = (after: number) => Promise<StepLogPage | undefined>;

/** A piece of a running attempt's output, as its action wrote it. */
export type LiveOutput = { readonly stream: 'stdout' | 'stderr'; readonly text: string };

/** The step's attempt running on this replica, whose output can be followed as it is written. */
export type AttemptTail = {
  readonly attempt: number;
  /** Opens the tail: `onOutput` per piece written, `onEnd` once the attempt's output ended or the tail broke off; the function returned closes it. */
  follow(onOutput: (output: LiveOutput) => void, onEnd: () => void): () => void;
};

export type StepLogStreamOptions = {
  pollMs: number;
  /** True once the server stops: the stream ends with `retry:` (the client comes back with Last-Event-ID). */
  closing: () => boolean;
  /** A stream open this long ends the same way, so no connection is held for ever. */
  maxMs: number;
  keepaliveMs?: number;
  /** The step's attempt running on this replica now, if any: its output is sent as `output` events while it runs. */
  running?: () => AttemptTail | undefined;
  /** Output waiting for a slow client beyond this many bytes is cut (one `…[truncated N bytes]` output says so); default 1 MiB. */
  outputLimitBytes?: number;
};

const end = (status: string) => ({ event: 'end', data: JSON.stringify({ status }) });

/** How long an ended attempt's event waits for the last pieces of its output (they travel on another call than its end). */
const TAIL_GRACE_MS = 1000;
/** How often a follower looks for a new attempt running here (in memory), so a short attempt between two polls is followed too. */
const TAIL_LOOK_MS = 50;
const OUTPUT_LIMIT_BYTES = 1024 * 1024;

function pagesOf(source: StepLogSource) {
  return async (sent: number) => {
    const page = await source(sent);
    if (!page) return { events: [], end: end('deleted') };
    return {
      events: page.attempts.map((attempt) => ({ id: attempt.attempt, event: 'attempt', data: JSON.stringify(attempt) })),
      ...(page.done ? { end: end(page.status) } : {}),
    };
  };
}

/**
 * A step's logs as Server-Sent Events: each ended attempt after `after` (the client's
 * Last-Event-ID) as one `attempt` event whose id is its number and whose data is the attempt with
 * its stdout and stderr, then the next ones as they are recorded; once the step is done and every
 * attempt is sent, an `end` event with the step's status (`deleted` when the run is gone).
 * With `running`, an attempt running on this replica is also followed as it writes: `output`
 * events without an id (see withLiveOutput).
 */
export function streamStepLogs(source: StepLogSource, after: number, options: StepLogStreamOptions): Readable {
  const polling = { pollMs: options.pollMs, closing: options.closing, maxMs: options.maxMs, greeting: 'step logs',
    ...(options.keepaliveMs === undefined ? {} : { keepaliveMs: options.keepaliveMs }) };
  if (options.running === undefined) return pollingEventStream(pagesOf(source), after, polling);
  return withLiveOutput((pages) => pollingEventStream(pagesOf(pages), after, polling), source, after, options.running, options.outputLimitBytes ?? OUTPUT_LIMIT_BYTES);
}

const outputEvent = (attempt: number, output: LiveOutput) => `event: output\ndata: ${JSON.stringify({ attempt, stream: output.stream, text: output.text })}\n\n`;

/** Pushes `output` events; while more than `limit` bytes wait for a slow client, output is counted instead, and said cut before the next one. */
function outputSender(stream: Readable, limit: number): (attempt: number, output: LiveOutput) => void {
  let cut = 0;
  return (attempt, output) => {
    if (stream.destroyed) return;
    if (stream.readableLength > limit) {
      cut += Buffer.byteLength(output.text);
      return;
    }
    if (cut > 0) stream.push(outputEvent(attempt, { stream: output.stream, text: `…[truncated ${cut} bytes]` }));
    cut = 0;
    stream.push(outputEvent(attempt, output));
  };
}

type OpenTail = { readonly attempt: number; readonly ended: Promise<void>; readonly close: () => void };

/**
 * The polled stream, with the output of the step's attempt running here sent as it is written:
 * `event: output`, `data: {"attempt", "stream", "text"}`, no id (Last-Event-ID keeps counting
 * ended attempts). A tail is opened only while someone follows, once per attempt, and its output
 * always comes before its attempt's event. A tail that cannot open or breaks off leaves the
 * attempt events as they are.
 */
function withLiveOutput(poll: (source: StepLogSource) => Readable, source: StepLogSource, after: number, running: () => AttemptTail | undefined, limit: number): Readable {
  let tail: OpenTail | undefined;
  let tailed = after;
  let sent = after;
  const outer = new Readable({
    read() {
      inner.resume();
    },
    destroy(error, callback) {
      stop();
      inner.destroy();
      callback(error);
    },
  });
  const send = outputSender(outer, limit);
  const open = () => {
    if (tail !== undefined || outer.destroyed) return;
    const found = running();
    // Only the attempt after the last one sent: an attempt's output never comes before an earlier attempt's event.
    if (found === undefined || found.attempt !== sent + 1 || found.attempt <= tailed) return;
    tailed = found.attempt;
    let ended = () => {};
    const opened: OpenTail = {
      attempt: found.attempt,
      ended: new Promise<void>((resolve) => (ended = resolve)),
      close: found.follow((output) => send(found.attempt, output), () => {
        ended();
        if (tail === opened) tail = undefined;
      }),
    };
    tail = opened;
  };
  const look = setInterval(open, TAIL_LOOK_MS);
  const stop = () => {
    clearInterval(look);
    tail?.close();
  };
  /** Before an attempt's event (or the end) goes out, its tail's last pieces do. */
  const settle = async (page: StepLogPage | undefined) => {
    const current = tail;
    if (current === undefined || (page && !page.done && !page.attempts.some((attempt) => attempt.attempt >= current.attempt))) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([current.ended, new Promise((resolve) => (timer = setTimeout(resolve, TAIL_GRACE_MS)))]);
    clearTimeout(timer);
    current.close();
    if (tail === current) tail = undefined;
  };
  const inner = poll(async (after) => {
    const page = await source(after);
    await settle(page);
    if (page?.done !== false) {
      clearInterval(look);
      return page;
    }
    sent = page.attempts.at(-1)?.attempt ?? after;
    open();
    return page;
  });
  inner.on('data', (chunk: Buffer | string) => {
    if (!outer.push(chunk)) inner.pause();
  });
  inner.on('end', () => {
    stop();
    outer.push(null);
  });
  inner.on('error', (error) => outer.destroy(error));
  return outer;
}
