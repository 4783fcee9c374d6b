import { resolve } from 'node:path';
import { credentials, type ClientReadableStream } from '@grpc/grpc-js';
import type { ActionDefinition, JsonValue } from '@trellis/action-manifest/definition';
import { loadAction } from '@trellis/action-manifest/load';
import { formatProblem } from '@trellis/action-manifest/problem';
import * as pb from '@trellis/action-wrapper/infrastructure/pb/action/v1/action';
import { startWrapper, type Wrapper } from '@trellis/action-wrapper/wrapper';
import { parseInputs, type LocalInput } from './inputs.js';
import { startLocalExchange } from './local-exchange.js';
import { fromValue, toValue } from './values.js';
import type { Output } from './validate.js';

export type RunOptions = {
  folder: string;
  inputs: readonly string[];
  /** Where file and directory outputs are saved. */
  outDir: string;
  json: boolean;
  /** For a trigger: stop after this many runs (default: until interrupted). */
  count?: number;
  timeoutMs?: number;
  /** For a trigger serving HTTP (a Ryax trigger): its port (default a free one). */
  httpPort?: number;
};

function call<Req, Res>(client: pb.ActionServiceClient, method: (request: Req, callback: (error: Error | null, response: Res) => void) => unknown, request: Req): Promise<Res> {
  return new Promise((done, fail) => method.call(client, request, (error, response) => (error ? fail(error) : done(response))));
}

function printOutputs(definition: ActionDefinition, outputs: Record<string, JsonValue | undefined>, options: RunOptions, output: Output): void {
  if (options.json) return output.out(JSON.stringify(outputs));
  const names = Object.keys(outputs);
  const only = names.length === 1 ? outputs[names[0] as string] : undefined;
  // One plain output prints alone, so `trellis-action run ... | next-command` just works.
  if (definition.outputs.length === 1 && names.length === 1 && (typeof only === 'string' || typeof only === 'number' || typeof only === 'boolean')) {
    return output.out(String(only));
  }
  for (const name of names) output.out(`${name}: ${typeof outputs[name] === 'string' ? String(outputs[name]) : JSON.stringify(outputs[name])}`);
}

function echoLogs(logs: { readonly stdout?: string; readonly stderr?: string } | undefined, output: Output): void {
  for (const text of [logs?.stdout, logs?.stderr]) if (text) output.err(text.replace(/\n$/, ''));
}

/** How one local call ended, in the terms a run records (status, error, outputs, logs). */
export type LocalOutcome = {
  readonly status: 'succeeded' | 'failed';
  readonly error: { readonly code: string; readonly message: string } | null;
  /** By output name; a file or directory output is the local path it was saved to. */
  readonly outputs: Record<string, JsonValue | undefined>;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
};

export type Session = {
  readonly client: pb.ActionServiceClient;
  readonly wrapper: Wrapper;
  /** The inputs as the wrapper takes them: local files and directories offered by URL. */
  readonly inputs: Record<string, pb.Value>;
  readonly exchange: Awaited<ReturnType<typeof startLocalExchange>>;
  readonly close: () => Promise<void>;
};

export type SessionOptions = { folder: string; outDir: string; timeoutMs?: number; httpPort?: number; diagnostics: (text: string) => void };

/**
 * Starts the real wrapper on the folder with a loopback stand-in for the object store, initialises
 * it and offers the local files; a handler that does not load (a syntax error, a missing module...)
 * is a `cannotStart` with nothing left running. Anything else thrown closes what was started.
 */
export async function openSession(definition: ActionDefinition, localInputs: readonly LocalInput[], options: SessionOptions): Promise<{ ok: true; session: Session } | { ok: false; cannotStart: string }> {
  let wrapper: Wrapper;
  try {
    wrapper = await startWrapper({
      folder: options.folder, definition, diagnostics: options.diagnostics,
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.httpPort ? { httpPort: options.httpPort } : {}),
    });
  } catch (error) {
    return { ok: false, cannotStart: (error as Error).message };
  }
  const exchange = await startLocalExchange(resolve(options.outDir)).catch(async (error: unknown) => {
    await wrapper.close();
    throw error;
  });
  const client = new pb.ActionServiceClient(`127.0.0.1:${wrapper.port}`, credentials.createInsecure());
  const close = async () => {
    client.close();
    await wrapper.close();
    await exchange.close();
  };
  try {
    await call<pb.InitRequest, pb.InitResponse>(client, client.init, { contractVersion: 'v1' });
    const inputs: Record<string, pb.Value> = {};
    for (const input of localInputs) {
      // A Ryax default of a file or directory input: the wrapper gives it to the handler as it is.
      if (input.kind === 'value' && (input.type === 'file' || input.type === 'directory')) continue;
      if (input.kind === 'value') {
        inputs[input.name] = toValue(input);
      } else {
        const offered = await exchange.offer(input.path, input.kind);
        inputs[input.name] = input.kind === 'file'
          ? { kind: { $case: 'fileValue', fileValue: { url: offered.url, name: offered.name, sizeBytes: '0' } } }
          : { kind: { $case: 'directoryValue', directoryValue: { url: offered.url, sizeBytes: '0' } } };
      }
    }
    return { ok: true, session: { client, wrapper, inputs, exchange, close } };
  } catch (error) {
    await close();
    throw error;
  }
}

/** One Run call on a Processor or Publisher; a call the wrapper could not answer fails as the runner records it (step_failed). */
export async function runOnce(session: Session, definition: ActionDefinition): Promise<LocalOutcome> {
  const { client, exchange } = session;
  const started = Date.now();
  const outputUrls: Record<string, string> = {};
  for (const io of definition.outputs) if (io.type === 'file' || io.type === 'directory') outputUrls[io.name] = exchange.receive(io.name, io.type);
  let answer: pb.RunResponse;
  try {
    answer = await call<pb.RunRequest, pb.RunResponse>(client, client.run, pb.RunRequest.fromPartial({ executionId: 'local-1', inputs: session.inputs, outputUrls }));
  } catch (error) {
    return { status: 'failed', error: { code: 'step_failed', message: `unavailable: the action could not be reached: ${(error as Error).message}` }, outputs: {}, stdout: '', stderr: '', durationMs: Date.now() - started };
  }
  const logs = { stdout: answer.logs?.stdout ?? '', stderr: answer.logs?.stderr ?? '', durationMs: Date.now() - started };
  if (answer.error) return { status: 'failed', error: { code: answer.error.code, message: answer.error.message }, outputs: {}, ...logs };
  const outputs = Object.fromEntries(Object.entries(answer.outputs).map(([name, value]) => [name, exchange.saved.get(name) ?? fromValue(value)]));
  return { status: 'succeeded', error: null, outputs, ...logs };
}

/**
 * `trellis-action run <folder> --input name=value ...`: starts the real wrapper on the folder,
 * runs the action once over gRPC (a trigger: prints its runs as they come) and prints the outputs.
 */
export async function runAction(options: RunOptions, output: Output): Promise<number> {
  const loaded = await loadAction(options.folder);
  if (!loaded.ok) {
    for (const problem of loaded.problems) output.err(formatProblem(problem));
    return 1;
  }
  const { definition } = loaded;
  const parsed = parseInputs(definition, options.inputs);
  if (!parsed.ok) {
    for (const problem of parsed.problems) output.err(problem);
    return 2;
  }
  const opened = await openSession(definition, parsed.inputs, {
    folder: options.folder, outDir: options.outDir, diagnostics: (text) => output.err(text.replace(/\n$/, '')),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.httpPort ? { httpPort: options.httpPort } : {}),
  });
  if (!opened.ok) {
    output.err(`cannot start ${definition.id}: ${opened.cannotStart}`);
    return 1;
  }
  const { session } = opened;
  if (session.wrapper.httpEndpoint) {
    const { port, prefix } = session.wrapper.httpEndpoint;
    output.err(`the trigger serves HTTP at http://127.0.0.1:${port}${prefix}${definition.source.format === 'ryax' ? ` (RYAX_SOURCE_PORT=${port})` : ''}`);
  }
  try {
    if (definition.kind === 'Trigger') return await listen(session.client, definition, session.inputs, options, output);
    const outcome = await runOnce(session, definition);
    echoLogs(outcome, output);
    if (outcome.error) {
      output.err(`error (${outcome.error.code}): ${outcome.error.message}`);
      return 1;
    }
    printOutputs(definition, outcome.outputs, options, output);
    return 0;
  } finally {
    await session.close();
  }
}

async function listen(client: pb.ActionServiceClient, definition: ActionDefinition, inputs: Record<string, pb.Value>, options: RunOptions, output: Output): Promise<number> {
  // Acknowledging, as the runner does, so the trigger's emit behaves here as it will there; each
  // run is accepted once printed (there is nothing more durable to wait for).
  const stream: ClientReadableStream<pb.ListenResponse> = client.listen({ listenId: 'local', inputs, acknowledges: true, lastEvent: {} });
  const ack = (eventId: string) => client.ackEvent({ listenId: 'local', eventId, accepted: true, reason: '' }, () => undefined);
  let runs = 0;
  let failed = false;
  const stop = () => stream.cancel();
  process.once('SIGINT', stop);
  await new Promise<void>((done) => {
    stream.on('data', (event: pb.ListenResponse) => {
      echoLogs(event.logs, output);
      if (event.event?.$case === 'error') {
        failed = true;
        output.err(`error (${event.event.error.code}): ${event.event.error.message}`);
      } else if (event.event?.$case === 'run') {
        runs++;
        const outputs = Object.fromEntries(Object.entries(event.event.run.outputs).map(([name, value]) => [name, fromValue(value)]));
        printOutputs(definition, outputs, { ...options, json: true }, output);
        ack(event.event.run.runId);
        if (options.count !== undefined && runs >= options.count) stream.cancel();
      }
    });
    stream.on('error', () => done()); // cancelled, or the wrapper went away
    stream.on('end', () => done());
  });
  process.off('SIGINT', stop);
  return failed ? 1 : 0;
}
