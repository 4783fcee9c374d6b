import { afterEach, beforeEach } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { JsonValue } from '@trellis/action-manifest/definition';
import type { LocalInput } from '@trellis/action-cli/inputs';
import { openSession } from '@trellis/action-cli/run';
import { fromValue } from '@trellis/action-cli/values';
import type * as pb from '@trellis/action-wrapper/infrastructure/pb/action/v1/action';
import { definitionOf, folderOf } from '../support/run-action.js';

/** One run a trigger emitted, as the runner sees it. */
export type Emitted = { readonly runId: string; readonly outputs: Record<string, JsonValue | undefined> };

/** What the test answers for an emitted run: accepted (the runner stored it), refused, or nothing yet (the trigger stops first). */
export type Decision = 'accept' | 'refuse' | 'hold';

export type ListenOptions = {
  /** The outputs of the last accepted run of an earlier activation (the runner's resume point). */
  readonly lastEvent?: Record<string, JsonValue>;
  /** Decides each run; default: accept every one. */
  readonly decide?: (run: Emitted) => Decision;
};

/** A trigger activation driven by the test through the real wrapper's Listen stream. */
export type Listening = {
  /** Every run emitted so far, accepted or not, in order. */
  readonly emitted: readonly Emitted[];
  /** Runs the test accepted, in order. */
  readonly accepted: readonly Emitted[];
  /** Waits until `count` runs were accepted (in all), or fails after `timeoutMs` naming what came. */
  waitForAccepted(count: number, timeoutMs?: number): Promise<readonly Emitted[]>;
  /** Waits until `count` runs were emitted (accepted or refused). */
  waitForEmitted(count: number, timeoutMs?: number): Promise<readonly Emitted[]>;
  /** Resolves with the error event when the trigger fails, or null when the stream just ends. */
  readonly ended: Promise<{ code: string; message: string } | null>;
  /** What the trigger logged (stdout and stderr) so far. */
  logs(): string;
  /** Stops the trigger (cancels the stream, as the runner does) and the wrapper. */
  stop(): Promise<void>;
};

function toWire(type: string, value: JsonValue): pb.Value {
  switch (type) {
    case 'longstring': return { kind: { $case: 'longstringValue', longstringValue: String(value) } };
    case 'password': return { kind: { $case: 'passwordValue', passwordValue: String(value) } };
    case 'enum': return { kind: { $case: 'enumValue', enumValue: String(value) } };
    case 'integer': return { kind: { $case: 'integerValue', integerValue: String(value) } };
    case 'float': return { kind: { $case: 'floatValue', floatValue: Number(value) } };
    case 'boolean': return { kind: { $case: 'booleanValue', booleanValue: value === true } };
    case 'json': return { kind: { $case: 'jsonValue', jsonValue: JSON.stringify(value) } };
    default: return { kind: { $case: 'stringValue', stringValue: String(value) } };
  }
}

/**
 * Starts `actions/<id>` (a Trigger) in the real wrapper over gRPC, as the runner does, and answers
 * each emitted run with an acknowledgement (accepted or refused, by `options.decide`).
 */
export async function listenTo(id: string, given: Readonly<Record<string, JsonValue>>, options: ListenOptions = {}): Promise<Listening> {
  const definition = await definitionOf(id);
  const unknown = Object.keys(given).filter((name) => !definition.inputs.some((io) => io.name === name));
  if (unknown.length > 0) throw new Error(`${id} has no input ${unknown.join(', ')}`);
  const inputs: LocalInput[] = [];
  for (const io of definition.inputs) {
    const value = given[io.name] ?? io.default;
    if (value !== undefined) inputs.push({ name: io.name, kind: 'value', type: io.type, value });
  }
  const outDir = await mkdtemp(join(tmpdir(), `trellis-${id}-listen-`));
  let logText = '';
  const opened = await openSession(definition, inputs, { folder: folderOf(id), outDir, diagnostics: (text) => { logText += text; } });
  if (!opened.ok) throw new Error(`actions/${id} cannot start: ${opened.cannotStart}`);
  const { session } = opened;
  const outputTypes = new Map(definition.outputs.map((io) => [io.name, io.type]));
  const lastEvent = options.lastEvent
    ? Object.fromEntries(Object.entries(options.lastEvent).map(([name, value]) => [name, toWire(outputTypes.get(name) ?? 'json', value)]))
    : undefined;
  const listenId = `test-${id}-${randomUUID()}`;
  const stream: ClientReadableStream<pb.ListenResponse> = session.client.listen({ listenId, inputs: session.inputs, acknowledges: true, lastEvent: lastEvent ?? {} });

  const emitted: Emitted[] = [];
  const accepted: Emitted[] = [];
  const waiters = new Set<() => void>();
  const wake = () => { for (const waiter of [...waiters]) waiter(); };
  let stopped = false;
  const ended = new Promise<{ code: string; message: string } | null>((done) => {
    stream.on('data', (event: pb.ListenResponse) => {
      logText += (event.logs?.stdout ?? '') + (event.logs?.stderr ?? '');
      if (event.event?.$case === 'error') done({ code: event.event.error.code, message: event.event.error.message });
      if (event.event?.$case !== 'run') return;
      const run: Emitted = {
        runId: event.event.run.runId,
        outputs: Object.fromEntries(Object.entries(event.event.run.outputs).map(([name, value]) => [name, fromValue(value)])),
      };
      emitted.push(run);
      const decision = options.decide?.(run) ?? 'accept';
      wake();
      if (decision === 'hold') return;
      // Counted as accepted once the wrapper has the answer: the trigger's emit has resolved then.
      void acknowledge(session.client, { listenId, eventId: run.runId, accepted: decision === 'accept', reason: decision === 'refuse' ? 'refused by the test' : '' })
        .then((known) => {
          if (known && decision === 'accept') accepted.push(run);
          wake();
        }, (error: Error) => { logText += `AckEvent failed: ${error.message}\n`; });
    });
    stream.on('error', () => done(null));
    stream.on('end', () => done(null));
  });
  void ended.then(wake);

  const waitFor = (list: Emitted[], what: string) => async (count: number, timeoutMs = 20_000) => {
    const started = Date.now();
    while (list.length < count) {
      if (Date.now() - started > timeoutMs) throw new Error(`${id}: waited ${timeoutMs} ms for ${count} ${what} runs, got ${list.length}; logs:\n${logText}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, 200);
        function finish() { clearTimeout(timer); waiters.delete(finish); resolve(); }
        waiters.add(finish);
      });
    }
    return list.slice();
  };

  return {
    emitted, accepted, ended,
    waitForAccepted: waitFor(accepted, 'accepted'),
    waitForEmitted: waitFor(emitted, 'emitted'),
    logs: () => logText,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      stream.cancel();
      await session.close();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}

function acknowledge(client: pb.ActionServiceClient, request: pb.AckEventRequest): Promise<boolean> {
  return new Promise((done, fail) => client.ackEvent(request, (error, answer) => (error ? fail(error) : done(answer.known))));
}

/**
 * For a test file whose broker is on loopback (the machine's): the network guard lets each test
 * reach it, and the triggers a test started are stopped after it.
 */
export function stopAfterEachOnLoopback(running: Listening[]): void {
  beforeEach(() => {
    process.env['TRELLIS_ALLOW_PRIVATE_NETWORK'] = 'true';
  });
  afterEach(async () => {
    for (const listening of running.splice(0)) await listening.stop();
    delete process.env['TRELLIS_ALLOW_PRIVATE_NETWORK'];
  });
}
