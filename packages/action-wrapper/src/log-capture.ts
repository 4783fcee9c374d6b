import { AsyncLocalStorage } from 'node:async_hooks';
import { format } from 'node:util';

export type StreamName = 'stdout' | 'stderr';
export type CapturedLogs = { readonly stdout: string; readonly stderr: string; readonly truncated: boolean };

/** Someone following an execution's output as it is written (TailLogs). */
export type LogFollower = {
  /** Bytes the capture kept, in the order they were written to that stream. */
  write(stream: StreamName, bytes: Buffer): void;
  /** The execution ended: nothing more comes. */
  end(): void;
};

/** The bounded stdout and stderr of one execution (or of a trigger between two runs). */
export type LogCapture = {
  write(stream: StreamName, chunk: string | Uint8Array): void;
  /** Counts bytes that were cut before they reached us (the Python side bounds its own buffers). */
  drop(stream: StreamName, bytes: number): void;
  /** The text so far, with `…[truncated N bytes]` at the end of a cut stream; starts afresh. */
  take(): CapturedLogs;
  /** Gives `follower` what was kept so far (stdout, then stderr), then each kept write until `end`; the returned function lets it go. */
  follow(follower: LogFollower): () => void;
  /**
   * `start` runs once, when the first follower comes (at once if one already has): a runtime
   * that holds output back until the execution ends (Python) starts sending it as written.
   */
  whenFollowed(start: () => void): void;
  /** The execution ended: followers get `end` and are let go; later writes reach nobody. */
  end(): void;
};

export const defaultLogLimitBytes = 1024 * 1024;

export function makeLogCapture(limitBytes = defaultLogLimitBytes): LogCapture {
  const fresh = () => ({ chunks: [] as Buffer[], size: 0, dropped: 0 });
  let streams = { stdout: fresh(), stderr: fresh() };
  // Made on the first follow: an execution nobody follows pays one comparison per write.
  let followers: Set<LogFollower> | undefined;
  let followed = false;
  let ended = false;
  const starters: (() => void)[] = [];
  const keep = (stream: StreamName, bytes: Buffer) => {
    streams[stream].chunks.push(bytes);
    if (followers !== undefined) for (const follower of followers) follower.write(stream, bytes);
  };
  return {
    write(stream, chunk) {
      const s = streams[stream];
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
      const room = limitBytes - s.size;
      if (bytes.length <= room) {
        keep(stream, bytes);
        s.size += bytes.length;
        return;
      }
      if (room > 0) {
        keep(stream, bytes.subarray(0, room));
        s.size = limitBytes;
      }
      s.dropped += bytes.length - Math.max(room, 0);
    },
    drop(stream, bytes) {
      streams[stream].dropped += bytes;
    },
    follow(follower) {
      if (ended) {
        follower.end();
        return () => undefined;
      }
      for (const stream of ['stdout', 'stderr'] as const) for (const bytes of streams[stream].chunks) follower.write(stream, bytes);
      (followers ??= new Set()).add(follower);
      if (!followed) {
        followed = true;
        for (const start of starters.splice(0)) start();
      }
      return () => void followers?.delete(follower);
    },
    whenFollowed(start) {
      if (followed) start();
      else starters.push(start);
    },
    end() {
      if (ended) return;
      ended = true;
      const last = followers;
      followers = undefined;
      starters.length = 0;
      for (const follower of last ?? []) follower.end();
    },
    take() {
      const text = (s: ReturnType<typeof fresh>) =>
        Buffer.concat(s.chunks).toString('utf8') + (s.dropped > 0 ? `…[truncated ${s.dropped} bytes]` : '');
      const taken = {
        stdout: text(streams.stdout),
        stderr: text(streams.stderr),
        truncated: streams.stdout.dropped > 0 || streams.stderr.dropped > 0,
      };
      streams = { stdout: fresh(), stderr: fresh() };
      return taken;
    },
  };
}

// Node handlers run in the wrapper's process: everything they print goes through console.* or
// process.stdout/stderr.write. Both are patched once; a call made inside an execution (found
// through AsyncLocalStorage, which follows awaits, timers and callbacks) lands in that
// execution's capture, anything else goes where it always went.
const storage = new AsyncLocalStorage<LogCapture>();

type Write = typeof process.stdout.write;
type Originals = { stdout: Write; stderr: Write; console: Partial<Record<ConsoleMethod, (...args: unknown[]) => void>> };
type ConsoleMethod = 'log' | 'info' | 'debug' | 'warn' | 'error' | 'trace' | 'dir';
const consoleStreams: Record<ConsoleMethod, StreamName> = {
  log: 'stdout',
  info: 'stdout',
  debug: 'stdout',
  dir: 'stdout',
  warn: 'stderr',
  error: 'stderr',
  trace: 'stderr',
};

let installs = 0;
let originals: Originals | undefined;

function patchedWrite(stream: StreamName, original: Write): Write {
  return function write(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
    const capture = storage.getStore();
    if (capture === undefined) return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    capture.write(stream, typeof chunk === 'string' || chunk instanceof Uint8Array ? chunk : String(chunk));
    const callback = rest.find((arg) => typeof arg === 'function') as ((error?: Error | null) => void) | undefined;
    if (callback) queueMicrotask(() => callback(null));
    return true;
  } as Write;
}

/* eslint-disable no-console -- this module patches console.* itself: it does not log. */
/** Routes console.* and process.stdout/stderr.write inside `runCaptured` to its capture. Counted: call `uninstall` as often. */
export function installLogCapture(): { uninstall: () => void } {
  if (installs++ === 0) {
    const saved: Originals = { stdout: process.stdout.write, stderr: process.stderr.write, console: {} };
    process.stdout.write = patchedWrite('stdout', saved.stdout);
    process.stderr.write = patchedWrite('stderr', saved.stderr);
    for (const [method, stream] of Object.entries(consoleStreams) as [ConsoleMethod, StreamName][]) {
      const original = console[method] as (...args: unknown[]) => void;
      saved.console[method] = original;
      console[method] = (...args: unknown[]) => {
        const capture = storage.getStore();
        if (capture === undefined) {
          original.apply(console, args);
          return;
        }
        const text = method === 'trace' ? `Trace: ${format(...args)}\n${(new Error().stack ?? '').split('\n').slice(2).join('\n')}` : format(...args);
        capture.write(stream, `${text}\n`);
      };
    }
    originals = saved;
  }
  let done = false;
  return {
    uninstall() {
      if (done) return;
      done = true;
      if (--installs > 0 || originals === undefined) return;
      process.stdout.write = originals.stdout;
      process.stderr.write = originals.stderr;
      for (const [method, original] of Object.entries(originals.console) as [ConsoleMethod, (...args: unknown[]) => void][]) {
        console[method] = original;
      }
      originals = undefined;
    },
  };
}

/* eslint-enable no-console */

/** Runs `fn` with its prints going to `capture`. */
export function runCaptured<T>(capture: LogCapture, fn: () => T): T {
  return storage.run(capture, fn);
}

/** Runs `fn` outside any execution: what it starts (a child process, its pipes) never prints into an execution. */
export function runUncaptured<T>(fn: () => T): T {
  return storage.exit(fn);
}
