import { randomUUID } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ActionDefinition } from '@trellis/action-manifest/definition';
import { accepted, type AckBook, EmitErrorCode, type EmitOutcome, emitFailure, makeAckBook } from './emit-acks.js';
import { type Failure, FailureCode } from './failure.js';
import { type HttpEndpoint, isRyaxTrigger, ryaxEndpointInputs } from './http-endpoint.js';
import type { Limiter } from './limiter.js';
import { type CapturedLogs, type LogCapture, makeLogCapture } from './log-capture.js';
import type { HandlerOutcome, HandlerRuntime } from './runtime.js';
import { download, packDirectory, redactUrl, unpackDirectory, upload } from './transfer.js';
import { type DecodeOptions, type Download, type Upload, type WireValue, decodeInputs, encodeOutputs } from './values.js';

export type ExecutionRequest = {
  readonly executionId: string;
  /** The same for every attempt of one step; empty when the caller has none. */
  readonly idempotencyKey: string;
  /** 1 for the first attempt; 0 when the caller did not say. */
  readonly attempt: number;
  readonly inputs: Readonly<Record<string, WireValue>>;
  /** Presigned PUT URLs by output name. */
  readonly outputUrls: Readonly<Record<string, string>>;
  /** 0: the wrapper's default. */
  readonly timeoutMs: number;
};

export type ExecutionResult = {
  readonly executionId: string;
  readonly outputs: Readonly<Record<string, WireValue>>;
  readonly error?: Failure;
  readonly logs: CapturedLogs;
  readonly durationMs: number;
};

export type ListenRequest = {
  readonly listenId: string;
  readonly inputs: Readonly<Record<string, WireValue>>;
  /** The caller answers each event (AckEvent): emit settles then, not when the event is sent. */
  readonly acknowledges: boolean;
  /** The outputs of the newest event the caller accepted before this listen; empty when none. */
  readonly lastEvent: Readonly<Record<string, WireValue>>;
};
export type TriggerEvent =
  | { readonly type: 'run'; readonly runId: string; readonly outputs: Readonly<Record<string, WireValue>>; readonly logs: CapturedLogs }
  | { readonly type: 'error'; readonly error: Failure; readonly logs: CapturedLogs };

export type ExecutorDeps = {
  readonly definition: ActionDefinition;
  readonly runtime: HandlerRuntime;
  readonly limiter: Limiter;
  readonly defaultTimeoutMs: number;
  readonly logLimitBytes: number;
  /** Where per-execution temporary directories are made. */
  readonly tempRoot: string;
  /** Monotonic milliseconds. */
  readonly now: () => number;
  /** Where the action's HTTP server listens, when it has one (see http-endpoint.ts). */
  readonly httpEndpoint?: HttpEndpoint;
  /** How long an emit waits for its acknowledgement before it fails as `emit_timeout`. */
  readonly emitAckTimeoutMs: number;
};

export type Executor = {
  run(request: ExecutionRequest): Promise<ExecutionResult>;
  /** Runs a trigger until `signal` fires or the trigger stops; events go to `send`. */
  listen(request: ListenRequest, send: (event: TriggerEvent) => void, signal: AbortSignal): Promise<void>;
  /** The logs of an execution in flight (queued or running), to follow them (TailLogs); undefined once it ended. */
  logsOf(executionId: string): LogCapture | undefined;
  /** The caller's answer to one event of a listen (AckEvent); false when no emit waits for it. */
  ack(listenId: string, eventId: string, answer: { readonly accepted: boolean; readonly reason: string }): boolean;
};

/** Problems of a request that make it malformed (the caller's bug, INVALID_ARGUMENT), not a failed run. */
export function requestProblems(definition: ActionDefinition, request: ExecutionRequest): string[] {
  const problems: string[] = [];
  if (request.executionId === '') problems.push('execution_id is required');
  for (const io of definition.outputs) {
    if ((io.type === 'file' || io.type === 'directory') && !io.optional && !request.outputUrls[io.name]) {
      problems.push(`output_urls has no presigned PUT URL for the ${io.type} output '${io.name}'`);
    }
  }
  const declared = new Set(definition.outputs.map((io) => io.name));
  for (const name of Object.keys(request.outputUrls)) {
    if (!declared.has(name)) problems.push(`output_urls names '${name}', which is not an output of ${definition.id}`);
  }
  return problems;
}

export function makeExecutor(deps: ExecutorDeps): Executor {
  const { definition, runtime } = deps;
  const endpoint = deps.httpEndpoint;
  const decodeOptions: DecodeOptions = {
    // Ryax hands an optional input without a value to the handler as None.
    unsetOptional: definition.source.format === 'ryax' ? 'null' : 'absent',
    ...(endpoint ? { endpoint } : {}),
  };
  // Ryax gives its triggers ryax_endpoint_port and ryax_endpoint_prefix, declared or not.
  const listenExtras = endpoint && isRyaxTrigger(definition) ? ryaxEndpointInputs(definition, endpoint) : {};

  const fetchInputs = async (downloads: readonly Download[], workdir: string, values: Record<string, unknown>, signal: AbortSignal) => {
    await Promise.all(
      downloads.map(async (item) => {
        const dir = path.join(workdir, 'inputs', item.name);
        await mkdir(dir, { recursive: true });
        if (item.type === 'file') {
          const file = path.join(dir, item.fileName);
          await download(item.url, file, signal);
          values[item.name] = file;
        } else {
          const archive = path.join(workdir, 'inputs', `${item.name}.tar`);
          await download(item.url, archive, signal);
          await unpackDirectory(archive, dir);
          await rm(archive, { force: true });
          values[item.name] = dir;
        }
      }),
    );
  };

  const sendOutputs = async (uploads: readonly Upload[], urls: Readonly<Record<string, string>>, workdir: string, values: Record<string, WireValue>) => {
    for (const item of uploads) {
      const url = urls[item.name];
      if (url === undefined || url === '') {
        return { code: FailureCode.badOutput, message: `output '${item.name}' (${item.type}) was produced, but the request gave no presigned PUT URL for it in output_urls` };
      }
      const info = await stat(item.path).catch(() => undefined);
      if (item.type === 'file') {
        if (!info?.isFile()) return { code: FailureCode.badOutput, message: `output '${item.name}' (file): ${item.path} is not a file` };
        const sizeBytes = await upload(url, item.path);
        values[item.name] = { type: 'file', url, name: path.basename(item.path), sizeBytes };
      } else {
        if (!info?.isDirectory()) return { code: FailureCode.badOutput, message: `output '${item.name}' (directory): ${item.path} is not a directory` };
        const archive = path.join(workdir, `output-${item.name}.tar`);
        await mkdir(workdir, { recursive: true });
        await packDirectory(item.path, archive);
        const sizeBytes = await upload(url, archive);
        values[item.name] = { type: 'directory', url, sizeBytes };
      }
    }
    return undefined;
  };

  const execute = async (request: ExecutionRequest, workdir: string, logs: LogCapture, onWorkdirUsed: () => void): Promise<{ outputs?: Record<string, WireValue>; error?: Failure }> => {
    const decoded = decodeInputs(definition.inputs, request.inputs, decodeOptions);
    if (!decoded.ok) return { error: decoded.error };
    const timeoutMs = request.timeoutMs > 0 ? request.timeoutMs : deps.defaultTimeoutMs;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<HandlerOutcome>((resolve) => {
      timer = setTimeout(() => {
        controller.abort(new Error(`timed out after ${timeoutMs} ms`));
        resolve({ ok: false, error: { code: FailureCode.timeout, message: `the execution took longer than its timeout of ${timeoutMs} ms and was stopped` } });
      }, timeoutMs);
    });
    try {
      const values = { ...decoded.value.values };
      if (decoded.value.downloads.length > 0) onWorkdirUsed();
      const fetched = fetchInputs(decoded.value.downloads, workdir, values, controller.signal).then(
        () => undefined,
        (error: unknown): HandlerOutcome => ({
          ok: false,
          error: { code: FailureCode.transferFailed, message: `could not download an input: ${redactMessage(error)}` },
        }),
      );
      const fetchFailure = await Promise.race([fetched, timedOut]);
      if (fetchFailure !== undefined && !fetchFailure.ok) return { error: fetchFailure.error };
      const outcome = await Promise.race([
        runtime.invoke({ executionId: request.executionId, idempotencyKey: request.idempotencyKey, attempt: request.attempt, inputs: values, workdir, onWorkdirUsed, signal: controller.signal, logs }),
        timedOut,
      ]);
      if (!outcome.ok) return { error: outcome.error };
      const encoded = encodeOutputs(definition.outputs, outcome.outputs, (p) => path.resolve(workdir, p));
      if (!encoded.ok) return { error: encoded.error };
      const outputs = { ...encoded.value.values };
      try {
        if (encoded.value.uploads.length > 0) onWorkdirUsed();
        const bad = await sendOutputs(encoded.value.uploads, request.outputUrls, workdir, outputs);
        if (bad !== undefined) return { error: bad };
      } catch (error) {
        return { error: { code: FailureCode.transferFailed, message: `could not upload an output: ${redactMessage(error)}` } };
      }
      return { outputs };
    } finally {
      clearTimeout(timer);
    }
  };

  const inFlight = new Map<string, LogCapture>();
  /** The acknowledgements awaited, by listen id (of listens that acknowledge). */
  const ackBooks = new Map<string, AckBook>();

  return {
    logsOf: (executionId) => inFlight.get(executionId),

    ack(listenId, eventId, answer) {
      const outcome = answer.accepted ? accepted : emitFailure(EmitErrorCode.refused, answer.reason || 'the run was refused');
      return ackBooks.get(listenId)?.settle(eventId, outcome) ?? false;
    },

    run(request) {
      // Known from the moment it is queued, so a follower that comes early waits for its output.
      const logs = makeLogCapture(deps.logLimitBytes);
      inFlight.set(request.executionId, logs);
      return deps.limiter.run(async () => {
        const started = deps.now();
        // Only a path: it is created when something needs it (files travel, or the handler
        // asks for context.workdir). Creating and removing a folder on every run cost more
        // than the rest of a no-op execution (bench/wrapper).
        const workdir = path.join(deps.tempRoot, `trellis-run-${randomUUID()}`);
        // Python handlers may make the folder without us seeing it: theirs is always removed.
        let used = definition.runtime === 'python';
        try {
          const { outputs, error } = await execute(request, workdir, logs, () => (used = true));
          return {
            executionId: request.executionId,
            outputs: error === undefined ? (outputs ?? {}) : {},
            ...(error === undefined ? {} : { error }),
            logs: logs.take(),
            durationMs: Math.round(deps.now() - started),
          };
        } finally {
          if (inFlight.get(request.executionId) === logs) inFlight.delete(request.executionId);
          logs.end();
          // After the answer is on its way, and only if the folder may exist.
          if (used) setImmediate(() => void rm(workdir, { recursive: true, force: true }).catch(() => undefined));
        }
      });
    },

    async listen(request, send, signal) {
      const logs = makeLogCapture(deps.logLimitBytes);
      const workdir = path.join(deps.tempRoot, `trellis-trigger-${randomUUID()}`);
      const book = request.acknowledges ? makeAckBook(deps.emitAckTimeoutMs) : undefined;
      if (book) ackBooks.set(request.listenId, book);
      try {
        const decoded = decodeInputs(definition.inputs, request.inputs, decodeOptions);
        if (!decoded.ok) {
          send({ type: 'error', error: decoded.error, logs: logs.take() });
          return;
        }
        const values = { ...listenExtras, ...decoded.value.values };
        try {
          await fetchInputs(decoded.value.downloads, workdir, values, signal);
        } catch (error) {
          send({ type: 'error', error: { code: FailureCode.transferFailed, message: `could not download an input: ${redactMessage(error)}` }, logs: logs.take() });
          return;
        }
        let runs = 0;
        let stopped = false;
        /** Without acknowledgements an emit settles as it always did: accepted once sent, or dropped silently. */
        const settled = (failure: EmitOutcome): Promise<EmitOutcome> => Promise.resolve(book ? failure : accepted);
        const emit = (returned: unknown): Promise<EmitOutcome> => {
          if (signal.aborted || stopped) return settled(emitFailure(EmitErrorCode.cancelled, 'the trigger stopped listening'));
          const encoded = encodeOutputs(definition.outputs, returned, (p) => path.resolve(workdir, p));
          const refuse = (error: Failure) => {
            send({ type: 'error', error, logs: logs.take() });
            return settled(emitFailure(EmitErrorCode.refused, error.message));
          };
          if (!encoded.ok) return refuse(encoded.error);
          if (encoded.value.uploads.length > 0) return refuse({ code: FailureCode.badOutput, message: 'triggers cannot emit file or directory outputs in contract v1' });
          runs++;
          const runId = `${request.listenId || 'listen'}-${runs}`;
          // Waiting before sending: an answer that comes back at once finds its emit.
          const answered = book?.wait(runId);
          send({ type: 'run', runId, outputs: encoded.value.values, logs: logs.take() });
          return answered ?? Promise.resolve(accepted);
        };
        const emitError = (error: Failure) => {
          if (!signal.aborted && !stopped) send({ type: 'error', error, logs: logs.take() });
        };
        const ended = new Promise<HandlerOutcome>((resolve) => {
          if (signal.aborted) resolve({ ok: true, outputs: undefined });
          signal.addEventListener('abort', () => resolve({ ok: true, outputs: undefined }), { once: true });
        });
        // The listen ending (the caller went away) settles the emits still waiting: a broker trigger nacks at once.
        if (book) signal.addEventListener('abort', () => book.close(), { once: true });
        const outcome = await Promise.race([
          runtime.listen({
            executionId: request.listenId, idempotencyKey: '', attempt: 0, inputs: values, workdir, signal, logs, emit, emitError,
            lastEvent: lastEventOf(definition.outputs, request.lastEvent),
          }),
          ended,
        ]);
        stopped = true;
        if (signal.aborted) return;
        // A trigger that returns has no more runs: the stream just ends.
        if (!outcome.ok) send({ type: 'error', error: outcome.error, logs: logs.take() });
      } finally {
        book?.close();
        if (book && ackBooks.get(request.listenId) === book) ackBooks.delete(request.listenId);
        await rm(workdir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * The previous event's outputs as the handler sees its values (integers as numbers, json parsed),
 * or null when there is none. An output no longer declared is left out; one that no longer fits
 * its declaration makes the whole event unusable (null): a cursor half-read is worse than none.
 */
function lastEventOf(declared: ActionDefinition['outputs'], wire: Readonly<Record<string, WireValue>>): Record<string, unknown> | null {
  const names = new Set(declared.map((io) => io.name));
  const known = Object.fromEntries(Object.entries(wire).filter(([name]) => names.has(name)));
  if (Object.keys(known).length === 0) return null;
  // Each output optional and without a default: what the event did not have stays absent.
  const asOptional = declared.map(({ default: _unused, ...io }) => ({ ...io, optional: true }));
  const decoded = decodeInputs(asOptional, known);
  return decoded.ok ? decoded.value.values : null;
}

function redactMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/https?:\/\/[^\s]+/g, (url) => redactUrl(url));
}
