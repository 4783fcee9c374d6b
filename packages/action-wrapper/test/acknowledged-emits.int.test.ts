// A trigger's emit settles when the caller acknowledges its event (AckEvent), in Node and in
// Python (blocking and awaited): accepted resolves, refused rejects with emit_refused and the
// reason, no answer rejects with emit_timeout, a caller that goes away with emit_cancelled; a
// caller that does not acknowledge (older than AckEvent) sees emit resolve as before; the
// previous event's outputs reach the handler as context.lastEvent / context.last_event.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { eventually } from '@trellis/platform/testing/eventually';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as pb from '../src/infrastructure/pb/action/v1/action.js';
import { anAction, io, startTestWrapper, type TestWrapper, v } from './harness.js';

type Line = { start?: unknown; pid?: number; n?: number; ok?: boolean; code?: string; message?: string };

const runtimes = [
  { name: 'Node', folder: 'node-acked-trigger', runtime: 'nodejs', mode: undefined },
  { name: 'Python (blocking emit)', folder: 'py-acked-trigger', runtime: 'python', mode: 'sync' },
  { name: 'Python (awaited emit)', folder: 'py-acked-trigger', runtime: 'python', mode: 'async' },
] as const;

const ackedTrigger = (runtime: 'nodejs' | 'python') => anAction({
  id: `${runtime}-acked-trigger`,
  kind: 'Trigger',
  runtime,
  handler: runtime === 'python' ? 'handler.py' : 'handler.js',
  inputs: [
    io('journal', 'string'), io('count', 'integer'), io('bad', 'integer', { default: 0 }), io('mode', 'string', { default: 'sync' }),
    io('again', 'boolean', { default: false }),
  ],
  outputs: [io('n', 'integer')],
});

let scratch = '';
let journals = 0;
beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'trellis-acks-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const readJournal = (file: string): Line[] => {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Line);
  } catch {
    return [];
  }
};

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Waits until the journal has `count` lines about events (the start line aside). */
const settledLines = (file: string, count: number) =>
  eventually(async () => readJournal(file).filter((line) => line.n !== undefined), (lines) => lines.length >= count, 10_000);

describe.each(runtimes)('a $name trigger', ({ folder, runtime, mode }) => {
  let trigger: TestWrapper;
  beforeAll(async () => {
    trigger = await startTestWrapper(folder, ackedTrigger(runtime), { emitAckTimeoutMs: 1_500 });
  });
  afterAll(async () => trigger?.close());

  const listen = (request: { count: number; bad?: number; again?: boolean; acknowledges: boolean; lastEvent?: Record<string, pb.Value> }) => {
    const journal = path.join(scratch, `journal-${++journals}.jsonl`);
    const listenId = `listen-${journals}`;
    const call: ClientReadableStream<pb.ListenResponse> = trigger.client.listen({
      listenId,
      inputs: {
        journal: v.string(journal), count: v.integer(request.count), bad: v.integer(request.bad ?? 0), again: v.boolean(request.again ?? false),
        ...(mode ? { mode: v.string(mode) } : {}),
      },
      acknowledges: request.acknowledges,
      lastEvent: request.lastEvent ?? {},
    });
    const runs: pb.TriggerRun[] = [];
    const errors: pb.RunError[] = [];
    call.on('data', (response: pb.ListenResponse) => {
      if (response.event?.$case === 'run') runs.push(response.event.run);
      if (response.event?.$case === 'error') errors.push(response.event.error);
    });
    call.on('error', () => undefined); // cancelled by the test
    const ack = (eventId: string, accepted: boolean, reason = '') =>
      new Promise<pb.AckEventResponse>((resolve, reject) =>
        trigger.client.ackEvent({ listenId, eventId, accepted, reason }, (error, response) => (error ? reject(error) : resolve(response))));
    const nthRun = (n: number) => eventually(async () => runs[n - 1], (run) => run !== undefined, 10_000) as Promise<pb.TriggerRun>;
    return { journal, call, runs, errors, ack, nthRun, stop: () => call.cancel() };
  };

  it('resolves emit once the event is accepted and rejects it with emit_refused and the reason when refused', async () => {
    const listening = listen({ count: 2, acknowledges: true });
    const first = await listening.nthRun(1);
    // The trigger waits: the second event cannot come before the first emit settled.
    expect(listening.runs).toHaveLength(1);
    expect(await listening.ack(first.runId, false, 'the workflow said no')).toEqual({ known: true });
    const second = await listening.nthRun(2);
    expect(await listening.ack(second.runId, true)).toEqual({ known: true });
    expect(await settledLines(listening.journal, 2)).toEqual([
      { n: 1, ok: false, code: 'emit_refused', message: 'the workflow said no' },
      { n: 2, ok: true },
    ]);
    // An answer given twice finds nothing waiting.
    expect(await listening.ack(second.runId, true)).toEqual({ known: false });
    listening.stop();
  });

  it('rejects emit with emit_refused when its outputs do not fit (the wrapper refuses them itself)', async () => {
    const listening = listen({ count: 2, bad: 1, acknowledges: true });
    const run = await listening.nthRun(1);
    await listening.ack(run.runId, true);
    const lines = await settledLines(listening.journal, 2);
    expect(lines[0]).toMatchObject({ n: 1, ok: false, code: 'emit_refused' });
    expect(lines[0]?.message).toMatch(/n/);
    expect(lines[1]).toEqual({ n: 2, ok: true });
    expect(listening.errors[0]?.code).toBe('bad_output');
    listening.stop();
  });

  it('rejects emit with emit_timeout when no answer comes within the bound, and forgets the event', async () => {
    const listening = listen({ count: 1, acknowledges: true });
    const run = await listening.nthRun(1);
    expect(await settledLines(listening.journal, 1)).toEqual([{ n: 1, ok: false, code: 'emit_timeout', message: expect.stringMatching(/1500 ms/) as unknown }]);
    expect(await listening.ack(run.runId, true)).toEqual({ known: false });
    listening.stop();
  });

  // Python: the cancelled listen's child lives on for its grace (LISTEN_STOP_GRACE_MS), then it is killed.
  it('rejects emit with emit_cancelled when the caller goes away before answering (it never resolves); a later emit too, with no run', async () => {
    const listening = listen({ count: 1, again: true, acknowledges: true });
    await listening.nthRun(1);
    listening.stop();
    const cancelled = { ok: false, code: 'emit_cancelled', message: expect.any(String) as unknown };
    expect(await settledLines(listening.journal, 2)).toEqual([{ n: 1, ...cancelled }, { n: 101, ...cancelled }]);
    expect(listening.runs).toHaveLength(1);
    if (runtime === 'python') {
      const pid = readJournal(listening.journal).find((line) => line.pid !== undefined)?.pid as number;
      expect(await eventually(async () => isAlive(pid), (alive) => !alive, 10_000)).toBe(false);
    }
  });

  it('resolves emit as it is sent for a caller that does not acknowledge (older than AckEvent)', async () => {
    const listening = listen({ count: 3, acknowledges: false });
    expect(await settledLines(listening.journal, 3)).toEqual([{ n: 1, ok: true }, { n: 2, ok: true }, { n: 3, ok: true }]);
    expect(listening.runs.map((run) => run.runId)).toHaveLength(3);
    expect(await listening.ack(listening.runs[0]?.runId ?? '', true)).toEqual({ known: false });
    listening.stop();
  });

  it('gives the previous event as lastEvent, and null when there is none', async () => {
    const resumed = listen({ count: 0, acknowledges: true, lastEvent: { n: v.integer(41) } });
    const fresh = listen({ count: 0, acknowledges: true });
    const start = async (journal: string) => (await eventually(async () => readJournal(journal), (lines) => lines.length > 0, 10_000))[0];
    expect(await start(resumed.journal)).toEqual({ start: { n: 41 } });
    resumed.stop();
    expect(await start(fresh.journal)).toEqual({ start: null });
    fresh.stop();
  });
});
