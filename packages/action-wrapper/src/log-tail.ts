import { StringDecoder } from 'node:string_decoder';
import type { LogFollower, StreamName } from './log-capture.js';

/** A piece of an execution's output as a follower reads it. */
export type TailChunk = { readonly stream: StreamName; readonly text: string };

/** Where a tail's chunks go: `send` answers false once the reader is behind (call `drained` when it caught up). */
export type TailSink = { send(chunk: TailChunk): boolean; end(): void };

export type Tail = LogFollower & { drained(): void };

const marker = (bytes: number) => `…[truncated ${bytes} bytes]`;

/**
 * One follower of an execution's output (a TailLogs call). While its reader keeps up, each write
 * goes straight through; while it is behind, writes wait here up to `limitBytes`, and what comes
 * beyond is counted and replaced by one `…[truncated N bytes]` chunk per stream once the reader
 * caught up, so a slow reader never costs unbounded memory. Bytes are decoded per stream, so a
 * character cut between two writes is sent whole.
 */
export function makeTail(sink: TailSink, limitBytes: number): Tail {
  const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  const queued: TailChunk[] = [];
  let queuedBytes = 0;
  const dropped = { stdout: 0, stderr: 0 };
  // Once something is dropped, later writes are dropped too until the marker went out: it must come before them.
  let dropping = false;
  let behind = false;
  let ended = false;

  const send = (chunk: TailChunk) => {
    if (!sink.send(chunk)) behind = true;
  };
  const markers = (): TailChunk[] =>
    (['stdout', 'stderr'] as const).filter((stream) => dropped[stream] > 0).map((stream) => ({ stream, text: marker(dropped[stream]) }));
  const flush = () => {
    while (!behind && queued.length > 0) {
      const chunk = queued.shift() as TailChunk;
      queuedBytes -= Buffer.byteLength(chunk.text);
      send(chunk);
    }
    if (behind || !dropping) return;
    const cut = markers();
    dropped.stdout = 0;
    dropped.stderr = 0;
    dropping = false;
    for (const chunk of cut) send(chunk);
  };

  return {
    write(stream, bytes) {
      if (ended) return;
      const text = decoders[stream].write(bytes);
      if (text === '') return;
      if (!behind && queued.length === 0 && !dropping) return send({ stream, text });
      const size = Buffer.byteLength(text);
      if (dropping || queuedBytes + size > limitBytes) {
        dropping = true;
        dropped[stream] += size;
        return;
      }
      queued.push({ stream, text });
      queuedBytes += size;
    },
    drained() {
      behind = false;
      if (!ended) flush();
    },
    end() {
      if (ended) return;
      ended = true;
      // The sink buffers what it is given; the queue is bounded, so all of it goes now.
      for (const chunk of [...queued.splice(0), ...markers()]) sink.send(chunk);
      for (const stream of ['stdout', 'stderr'] as const) {
        const rest = decoders[stream].end();
        if (rest !== '') sink.send({ stream, text: rest });
      }
      sink.end();
    },
  };
}
