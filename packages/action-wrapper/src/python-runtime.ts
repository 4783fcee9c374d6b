import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActionDefinition } from '@trellis/action-manifest/definition';
import { type Failure, FailureCode } from './failure.js';
import { type LogCapture, runUncaptured } from './log-capture.js';
import type { HandlerOutcome, HandlerRuntime, Invocation, ListenInvocation } from './runtime.js';

/** The Python side, shipped in the package: python/ next to src/ and dist/, so found from both. */
export const pythonRuntimeFile = fileURLToPath(new URL('../python/trellis_runtime.py', import.meta.url));

export type PythonOptions = {
  readonly folder: string;
  /** What the child needs of it: the handler, the kind, the format (how to call it), float inputs, outputs. */
  readonly definition: Pick<ActionDefinition, 'handler' | 'kind' | 'inputs' | 'outputs' | 'source'>;
  /** Added to the child's environment (e.g. RYAX_SOURCE_PORT). */
  readonly env?: Readonly<Record<string, string>>;
  /** The interpreter; default python3. */
  readonly python?: string;
  readonly logLimitBytes: number;
  /** Where the child's own output (outside executions) goes: the wrapper's stderr. */
  readonly diagnostics: (text: string) => void;
};

type Frame = { type: string; id?: number } & Record<string, unknown>;
type Pending = {
  logs: LogCapture;
  resolve: (outcome: HandlerOutcome) => void;
  /** Tells the child how an emit settled (the frame `emitted`, which its `emit` waits for). */
  emit?: (outputs: unknown, seq: unknown) => void;
  emitError?: (error: Failure) => void;
};
type Child = { process: ChildProcessWithoutNullStreams; pending: Map<number, Pending>; stderrTail: string };

/** Splits a byte stream into frames: 4-byte big-endian length + JSON. */
export function makeFrameReader(onFrame: (frame: Frame) => void): (chunk: Buffer) => void {
  let buffer: Buffer = Buffer.alloc(0);
  return (chunk) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    while (buffer.length >= 4) {
      const length = buffer.readUInt32BE(0);
      if (buffer.length < 4 + length) break;
      const body = buffer.subarray(4, 4 + length);
      buffer = buffer.subarray(4 + length);
      onFrame(JSON.parse(body.toString('utf8')) as Frame);
    }
  };
}

export function encodeFrame(message: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

/**
 * How long a cancelled Python trigger's process lives on after its listen ended: its emits still
 * waiting are answered `emit_cancelled` (and any later one too, with no run), so a broker trigger
 * nacks before the process is killed, as a Node trigger does. A new child serves meanwhile.
 */
export const LISTEN_STOP_GRACE_MS = 2000;

/**
 * Hosts a Python handler in one long-lived `python3` child. Executions are sequential in the
 * child (maxConcurrency 1): the wrapper queues the rest. A child that dies fails the execution in
 * flight with `runtime_crashed` and is started again; a timed-out execution kills the child (that
 * is how a hung Python handler is stopped), which is then started again too. A cancelled listen's
 * child is replaced at once and killed after LISTEN_STOP_GRACE_MS (Python cannot interrupt the
 * handler's thread; the grace lets its pending emits raise emit_cancelled first).
 */
export async function startPythonRuntime(options: PythonOptions): Promise<HandlerRuntime> {
  const { definition } = options;
  const handler = definition.handler;
  if (!existsSync(pythonRuntimeFile)) throw new Error(`the Python runtime ${pythonRuntimeFile} is missing from the wrapper package`);
  if (!existsSync(path.resolve(options.folder, handler))) throw new Error(`the handler ${handler} does not exist in ${options.folder}`);
  const env = {
    ...globalThis.process.env,
    ...options.env,
    TRELLIS_LOG_LIMIT_BYTES: String(options.logLimitBytes),
    TRELLIS_ACTION_CONFIG: JSON.stringify(childConfigOf(definition)),
    PYTHONDONTWRITEBYTECODE: '1',
  };
  const entry = entryPointOf(definition);
  let current: Promise<Child> | undefined;
  let closing = false;
  let nextId = 1;

  const spawnChild = (): Promise<Child> =>
    runUncaptured(
      () =>
        new Promise<Child>((resolve, reject) => {
          const process = spawn(options.python ?? 'python3', ['-u', pythonRuntimeFile, options.folder, handler], {
            cwd: options.folder,
            env,
            stdio: ['pipe', 'pipe', 'pipe'],
          });
          const child: Child = { process, pending: new Map(), stderrTail: '' };
          let ready = false;
          // A child that cannot serve is killed, and the start fails once it is gone (nothing left behind).
          let refused: Error | undefined;
          const refuse = (error: Error) => {
            refused ??= error;
            process.kill('SIGKILL');
          };
          process.stdin.on('error', () => {
            // EPIPE when the child died: its exit handler reports it.
          });
          process.stderr.setEncoding('utf8').on('data', (text: string) => {
            child.stderrTail = (child.stderrTail + text).slice(-2000);
            options.diagnostics(text);
          });
          process.stdout.on(
            'data',
            makeFrameReader((frame) => {
              if (frame.type === 'ready') {
                const functions = (frame['functions'] as string[] | undefined) ?? [];
                if (!functions.includes(entry.name)) {
                  refuse(new Error(`the handler ${handler} does not define ${entry.signature}`));
                  return;
                }
                ready = true;
                resolve(child);
                return;
              }
              if (frame.type === 'load_error') {
                // The child exits by itself; killing it too leaves nothing behind whatever it started.
                refuse(new Error(`${String(frame['message'])}\n${String(frame['stack'] ?? '')}`.trimEnd()));
                return;
              }
              const pending = frame.id === undefined ? undefined : child.pending.get(frame.id);
              if (pending === undefined) return;
              takeLogs(pending.logs, frame);
              if (frame.type === 'emit') {
                pending.emit?.(frame['outputs'], frame['seq']);
              } else if (frame.type === 'emit_error') {
                pending.emitError?.(frame['error'] as Failure);
              } else if (frame.type === 'result') {
                child.pending.delete(frame.id as number);
                pending.resolve(frame['ok'] === true ? { ok: true, outputs: frame['outputs'] } : { ok: false, error: frame['error'] as Failure });
              }
            }),
          );
          process.on('error', (error) => reject(new Error(`cannot start ${options.python ?? 'python3'}: ${error.message}`, { cause: error })));
          process.on('exit', (code, signal) => {
            const how = signal === null ? `exited with code ${code}` : `was killed by ${signal}`;
            if (!ready) reject(refused ?? new Error(`the Python runtime ${how} before it was ready${child.stderrTail ? `:\n${child.stderrTail}` : ''}`));
            const crash: Failure = {
              code: FailureCode.runtimeCrashed,
              message: `the Python process ${how} during the execution; it is being restarted${child.stderrTail ? `. Its last output:\n${child.stderrTail.slice(-500)}` : ''}`,
            };
            for (const pending of child.pending.values()) pending.resolve({ ok: false, error: crash });
            child.pending.clear();
            if (ready && !closing && !retired.has(child)) restart();
          });
        }),
    );

  const restart = () => {
    current = spawnChild();
    current.catch((error: unknown) => options.diagnostics(`the Python runtime could not restart: ${String(error)}\n`));
  };

  /**
   * A timed-out execution cannot be interrupted inside Python: its child is killed and replaced
   * at once, so the next execution never lands on the dying process (its exit is not waited for).
   */
  const retired = new WeakSet<Child>();
  /** Retired children not killed yet (a cancelled listen's, for its grace): killed at close at the latest. */
  const dying = new Set<Child>();
  const retire = (child: Child, graceMs = 0) => {
    if (retired.has(child)) return;
    retired.add(child);
    if (!closing) restart();
    if (graceMs === 0 || closing) {
      child.process.kill('SIGKILL');
      return;
    }
    dying.add(child);
    const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
    child.process.once('exit', () => {
      clearTimeout(timer);
      dying.delete(child);
    });
  };
  const alive = (child: Child) => child.process.exitCode === null && child.process.signalCode === null;

  const call = async (type: 'run' | 'listen', invocation: Invocation, listener?: Pick<ListenInvocation, 'emit' | 'emitError' | 'lastEvent'>): Promise<HandlerOutcome> => {
    if (current === undefined) current = spawnChild();
    let child: Child;
    try {
      child = await current;
    } catch (error) {
      current = undefined;
      return { ok: false, error: { code: FailureCode.runtimeCrashed, message: (error as Error).message } };
    }
    const id = nextId++;
    return new Promise<HandlerOutcome>((resolve) => {
      // A stopped listen ends now (the next one need not wait out the grace); its child goes on
      // reading the answers to its emits until it is killed.
      const onAbort = listener
        ? () => {
          retire(child, LISTEN_STOP_GRACE_MS);
          resolve({ ok: true, outputs: undefined });
        }
        : () => retire(child);
      invocation.signal.addEventListener('abort', onAbort, { once: true });
      child.pending.set(id, {
        logs: invocation.logs,
        ...(listener
          ? {
            emit: (outputs: unknown, seq: unknown) =>
              void listener.emit(outputs).then((outcome) => {
                // A cancelled listen's child is alive for its grace: its emits learn they were cancelled.
                if (child.pending.has(id) && alive(child)) child.process.stdin.write(encodeFrame({ type: 'emitted', id, seq, ...outcome }));
              }),
            emitError: listener.emitError,
          }
          : {}),
        resolve: (outcome) => {
          invocation.signal.removeEventListener('abort', onAbort);
          resolve(outcome);
        },
      });
      child.process.stdin.write(
        encodeFrame({
          type, id, executionId: invocation.executionId, idempotencyKey: invocation.idempotencyKey, attempt: invocation.attempt, inputs: invocation.inputs, workdir: invocation.workdir,
          ...(listener ? { lastEvent: listener.lastEvent } : {}),
        }),
      );
      // The child holds an execution's output until its result unless told that someone follows it.
      invocation.logs.whenFollowed(() => {
        if (child.pending.has(id)) child.process.stdin.write(encodeFrame({ type: 'tail', id }));
      });
      if (invocation.signal.aborted) onAbort();
    });
  };

  /**
   * A child runs one trigger activation at a time: a Listen waits for the one before it to end
   * (a cancelled one's child is replaced first) instead of queueing in a child about to be killed.
   */
  let lastListen: Promise<unknown> = Promise.resolve();
  const listen = (invocation: ListenInvocation): Promise<HandlerOutcome> => {
    const turn = lastListen.then(() => (invocation.signal.aborted ? { ok: true as const, outputs: undefined } : call('listen', invocation, invocation)));
    lastListen = turn.catch(() => undefined);
    return turn;
  };

  current = spawnChild();
  await current;

  return {
    maxConcurrency: 1,
    invoke: (invocation) => call('run', invocation),
    listen,
    async close() {
      closing = true;
      const ended = [...dying].map((child) => new Promise<void>((resolve) => child.process.once('exit', () => resolve())));
      for (const child of dying) child.process.kill('SIGKILL');
      await Promise.all(ended);
      const child = await current?.catch(() => undefined);
      if (child === undefined || child.process.exitCode !== null || child.process.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.process.once('exit', () => resolve()));
      child.process.stdin.end();
      const timer = setTimeout(() => child.process.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** What the child reads from TRELLIS_ACTION_CONFIG (see trellis_runtime.py). */
function childConfigOf(definition: PythonOptions['definition']) {
  return {
    format: definition.source.format,
    floatInputs: definition.inputs.filter((io) => io.type === 'float').map((io) => io.name),
    outputs: definition.outputs.map(({ name, type, help, optional }) => ({ name, type, help, optional })),
  };
}

/** The function the child must define, and how it is called (for the error when it does not). */
function entryPointOf(definition: PythonOptions['definition']): { name: 'handle' | 'run'; signature: string } {
  const ryax = definition.source.format === 'ryax';
  if (definition.kind === 'Trigger') return { name: 'run', signature: ryax ? 'run(service, input_values)' : 'run(context, inputs)' };
  return { name: 'handle', signature: ryax ? 'handle(mod_in)' : 'handle(inputs, context)' };
}

function takeLogs(logs: LogCapture, frame: Frame): void {
  if (typeof frame['stdout'] === 'string' && frame['stdout'] !== '') logs.write('stdout', frame['stdout']);
  if (typeof frame['stderr'] === 'string' && frame['stderr'] !== '') logs.write('stderr', frame['stderr']);
  if (typeof frame['stdoutDropped'] === 'number' && frame['stdoutDropped'] > 0) logs.drop('stdout', frame['stdoutDropped']);
  if (typeof frame['stderrDropped'] === 'number' && frame['stderrDropped'] > 0) logs.drop('stderr', frame['stderrDropped']);
}
