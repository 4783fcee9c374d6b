import { AsyncLocalStorage } from 'node:async_hooks';
import { format } from 'node:util';

export type StreamName = 'stdout' | 'stderr';
export type CapturedLogs = { readonly stdout: string; readonly stderr: string; readonly truncated: boolean };

/** The bounded stdout and stderr of one execution (or of a trigger between two runs). */
export type LogCapture = {
  write(stream: StreamName, chunk: string | Uint8Array): void;
  /** Counts bytes that were cut before they reached us (the Python side bounds its own buffers). */
  drop(stream: StreamName, bytes: number): void;
  /** The text so far, with `…[truncated N bytes]` at the end of a cut stream; starts afresh. */
  take(): CapturedLogs;
};

export const defaultLogLimitBytes = 1024 * 1024;

export function makeLogCapture(limitBytes = defaultLogLimitBytes): LogCapture {
  const fresh = () => ({ chunks: [] as Buffer[], size: 0, dropped: 0 });
  let streams = { stdout: fresh(), stderr: fresh() };
  return {
    write(stream, chunk) {
      const s = streams[stream];
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
      const room = limitBytes - s.size;
      if (bytes.length <= room) {
        s.chunks.push(bytes);
        s.size += bytes.length;
        return;
      }
      if (room > 0) {
        s.chunks.push(bytes.subarray(0, room));
        s.size = limitBytes;
      }
      s.dropped += bytes.length - Math.max(room, 0);
    },
    drop(stream, bytes) {
      streams[stream].dropped += bytes;
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
