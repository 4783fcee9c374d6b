// The Node runtime through the real wrapper over real gRPC, in-process.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as pb from '../src/infrastructure/pb/action/v1/action.js';
import { type TestWrapper, anAction, collect, io, miscAction, plain, startTestWrapper, triggerAction, typesAction, v } from './harness.js';

describe('a Node processor (ESM)', () => {
  let types: TestWrapper;
  let misc: TestWrapper;
  beforeAll(async () => {
    types = await startTestWrapper('node-types', typesAction('nodejs'));
    misc = await startTestWrapper('node-misc', miscAction('nodejs'), { concurrency: 8, timeoutMs: 5_000, logLimitBytes: 1024 });
  });
  afterAll(async () => {
    await types?.close();
    await misc?.close();
  });

  it('answers Init with the definition summary and the contract version', async () => {
    const init = await types.init();
    expect(init.contractVersion).toBe('v1');
    expect(init.wrapperVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(init.action?.id).toBe('nodejs-types');
    expect(init.action?.kind).toBe('Processor');
    expect(init.action?.inputs.map((i) => `${i.name}:${i.type}`)).toContain('e:enum');
    expect(init.action?.inputs.find((i) => i.name === 'e')?.enumValues).toEqual(['red', 'green']);
    expect(init.action?.timeoutMs).toBe(60_000);
  });

  it('hands the idempotency key and the attempt to the handler (context)', async () => {
    const response = await misc.run({ executionId: 'ctx-1', idempotencyKey: 'run-7:step-a', attempt: 3, inputs: { mode: v.enum('context') } });
    expect(response.error).toBeUndefined();
    expect(JSON.parse(plain(response.outputs['result']) as string)).toEqual({ idempotencyKey: 'run-7:step-a', attempt: 3, executionId: 'ctx-1' });
    const unset = await misc.run({ executionId: 'ctx-2', inputs: { mode: v.enum('context') } });
    expect(JSON.parse(plain(unset.outputs['result']) as string)).toEqual({ idempotencyKey: '', attempt: 0, executionId: 'ctx-2' });
  });

  it('carries the eight scalar types both ways, exactly', async () => {
    const json = '{"a":[1,2.5,{"b":null}],"c":"é"}';
    const response = await types.run({
      inputs: {
        s: v.string('hello'),
        ls: v.longstring('line 1\nline 2 ✓\n'.repeat(100)),
        pw: v.password('s3cr3t'),
        i: v.integer('9007199254740991'),
        f: v.float(3.25),
        b: v.boolean(false),
        e: v.enum('green'),
        j: v.json(json),
      },
    });
    expect(response.error).toBeUndefined();
    const outputs = Object.fromEntries(Object.entries(response.outputs).map(([k, value]) => [k, value.kind?.$case]));
    expect(outputs).toEqual({
      s: 'stringValue',
      ls: 'longstringValue',
      pw: 'passwordValue',
      i: 'integerValue',
      f: 'floatValue',
      b: 'booleanValue',
      e: 'enumValue',
      j: 'jsonValue',
    });
    expect(plain(response.outputs['s'])).toBe('hello');
    expect(plain(response.outputs['ls'])).toBe('line 1\nline 2 ✓\n'.repeat(100));
    expect(plain(response.outputs['pw'])).toBe('s3cr3t');
    expect(plain(response.outputs['i'])).toBe('9007199254740991');
    expect(plain(response.outputs['f'])).toBe(3.25);
    expect(plain(response.outputs['b'])).toBe(false);
    expect(plain(response.outputs['e'])).toBe('green');
    expect(JSON.parse(plain(response.outputs['j']) as string)).toEqual(JSON.parse(json));
  });

  it.each([
    ['a missing input', { s: v.string('x') }, /input 'ls' \(longstring\) is required/],
    ['a mistyped input', { s: v.integer(1) }, /input 's' is declared string but a integer value was given/],
    ['an enum value outside the list', { e: v.enum('blue') }, /input 'e' must be one of red, green; got 'blue'/],
    ['invalid JSON', { j: v.json('{nope') }, /input 'j' is not valid JSON/],
    ['an integer beyond 2^53', { i: v.integer('9007199254740993') }, /input 'i' \(integer\) 9007199254740993 is outside the safe range/],
    ['an unknown input', { zzz: v.string('x') }, /unknown input 'zzz'/],
  ])('rejects %s with bad_input', async (_label, partial, message) => {
    const base = { s: v.string('a'), ls: v.longstring('b'), pw: v.password('c'), i: v.integer(1), f: v.float(1), b: v.boolean(true), e: v.enum('red'), j: v.json('1') };
    const inputs: Record<string, pb.Value> = { ...base, ...partial };
    if (String(message).includes("'ls'")) delete inputs['ls'];
    const response = await types.run({ inputs });
    expect(response.error?.code).toBe('bad_input');
    expect(response.error?.message).toMatch(message);
    expect(response.outputs).toEqual({});
  });

  it('turns an ActionError into its code and message, without a stack', async () => {
    const response = await misc.run({ inputs: { mode: v.enum('action-error') } });
    expect(response.error).toEqual({ code: 'not_found', message: 'no such customer', stack: '' });
  });

  it('turns a thrown error into code error with its message and a trimmed stack pointing at user code', async () => {
    const response = await misc.run({ inputs: { mode: v.enum('throw') } });
    expect(response.error?.code).toBe('error');
    expect(response.error?.message).toBe('the widget is broken');
    expect(response.error?.stack).toMatch(/^TypeError: the widget is broken\n\s+at deepInUserCode \(.*node-misc\/handler\.js:\d+:\d+\)/);
    expect(response.error?.stack).not.toMatch(/node:internal|src\/node-runtime|src\/executor/);
  });

  it('names a mistyped output and a missing one (bad_output)', async () => {
    const mistyped = await misc.run({ inputs: { mode: v.enum('bad-output') } });
    expect(mistyped.error).toMatchObject({ code: 'bad_output', message: "output 'result' must be a string; got the integer 42" });
    const missing = await misc.run({ inputs: { mode: v.enum('missing') } });
    expect(missing.error).toMatchObject({ code: 'bad_output', message: "output 'result' (string) is missing" });
  });

  it('stops waiting for a hung handler at its timeout and fires its AbortSignal', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trellis-hang-'));
    const marker = path.join(dir, 'aborted');
    try {
      const started = Date.now();
      const response = await misc.run({ inputs: { mode: v.enum('hang'), text: v.string(marker) }, timeoutMs: 300 });
      expect(response.error?.code).toBe('timeout');
      expect(response.error?.message).toMatch(/300 ms/);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(existsSync(marker) && readFileSync(marker, 'utf8')).toBe('aborted');
      // The wrapper still serves.
      expect((await misc.run({ inputs: { mode: v.enum('ok') } })).outputs['result']).toEqual(v.string('ok'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bounds the logs of an execution and marks the cut', async () => {
    const response = await misc.run({ inputs: { mode: v.enum('log'), size: v.integer(5000) } });
    expect(response.error).toBeUndefined();
    expect(response.logs?.truncated).toBe(true);
    expect(response.logs?.stdout).toBe(`${'x'.repeat(1024)}…[truncated ${5000 - 1024} bytes]`);
    expect(response.logs?.stderr).toBe(`${'e'.repeat(10)}\n`);
  });

  it('runs 100 concurrent calls, every answer and every log line in its own execution', async () => {
    const texts = Array.from({ length: 100 }, (_, n) => `t${n}-${Math.random().toString(36).slice(2, 8)}`);
    const responses = await Promise.all(
      texts.map((text, n) => misc.run({ executionId: `conc-${n}`, inputs: { mode: v.enum('echo'), text: v.string(text) } })),
    );
    responses.forEach((response, n) => {
      const text = texts[n] as string;
      expect(response.executionId).toBe(`conc-${n}`);
      expect(response.error).toBeUndefined();
      expect(plain(response.outputs['result'])).toBe(text);
      expect(response.logs?.stdout.split('\n').filter(Boolean).sort()).toEqual(
        [`log ${text}`, `write ${text}`, `timer ${text}`, `ctx ${text} conc-${n}`].sort(),
      );
      expect(response.logs?.stderr).toBe(`err ${text}\n`);
    });
  });

  it('queues beyond its concurrency (FIFO) and reports it in Health', async () => {
    const slow = await startTestWrapper('node-misc', miscAction('nodejs'), { concurrency: 2 });
    try {
      const started = Date.now();
      const calls = Array.from({ length: 4 }, () => slow.run({ inputs: { mode: v.enum('sleep'), size: v.integer(200) } }));
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect(await slow.health()).toEqual({ status: pb.HealthResponse_Status.STATUS_SERVING, running: 2, queued: 2 });
      await Promise.all(calls);
      expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    } finally {
      await slow.close();
    }
  });

  it('answers gRPC errors only for malformed calls', async () => {
    await expect(misc.run({ executionId: '' , inputs: { mode: v.enum('ok') } })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
    await expect(misc.run({ inputs: { mode: {} } })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/inputs\['mode'\] has no value set/) });
    await expect(misc.run({ inputs: { mode: v.enum('ok') }, outputUrls: { nope: 'http://x' } })).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
  });
});

describe('a Node processor (CommonJS)', () => {
  it('loads with require and recognises an ActionError it defined itself', async () => {
    const cjs = await startTestWrapper('node-cjs', anAction({ id: 'cjs', inputs: [io('text', 'string')], outputs: [io('result', 'string')] }));
    try {
      const ok = await cjs.run({ inputs: { text: v.string('hi') } });
      expect(plain(ok.outputs['result'])).toBe('cjs:hi');
      expect(ok.logs?.stdout).toBe('cjs says hi\n');
      const failed = await cjs.run({ inputs: { text: v.string('fail') } });
      expect(failed.error).toEqual({ code: 'told_to', message: 'told to fail', stack: '' });
    } finally {
      await cjs.close();
    }
  });

  it('refuses to start on a handler without handle()', async () => {
    await expect(startTestWrapper('node-trigger', anAction({ id: 'no-handle' }))).rejects.toThrow(/does not export a function handle/);
  });
});

describe('a Node trigger', () => {
  it('streams each emitted run with its outputs and logs on Listen, and errors as events', async () => {
    const trigger = await startTestWrapper('node-trigger', triggerAction('nodejs'));
    try {
      const events = await collect(trigger.client.listen({ listenId: 'l1', inputs: { count: v.integer(3), everyMs: v.integer(10), prefix: v.string('fail') }, acknowledges: false, lastEvent: {} }));
      expect(events.map((e) => e.event?.$case)).toEqual(['run', 'run', 'run', 'error']);
      const runs = events.flatMap((e) => (e.event?.$case === 'run' ? [e.event.run] : []));
      expect(runs.map((r) => r.runId)).toEqual(['l1-1', 'l1-2', 'l1-3']);
      expect(runs.map((r) => [plain(r.outputs['n']), plain(r.outputs['label'])])).toEqual([
        ['0', 'fail-0'],
        ['1', 'fail-1'],
        ['2', 'fail-2'],
      ]);
      expect(events[1]?.logs?.stdout).toBe('tick 1\n');
      const last = events[3]?.event;
      expect(last?.$case === 'error' && last.error.message).toBe('the source went away');
      // Run is refused on a trigger.
      await expect(trigger.run({})).rejects.toMatchObject({ code: status.FAILED_PRECONDITION });
    } finally {
      await trigger.close();
    }
  });

  it('keeps streaming until the caller cancels', async () => {
    const trigger = await startTestWrapper('node-trigger', triggerAction('nodejs'));
    try {
      const call = trigger.client.listen({ listenId: 'l2', inputs: { count: v.integer(2), everyMs: v.integer(5), prefix: v.string('ok') }, acknowledges: false, lastEvent: {} });
      const seen: pb.ListenResponse[] = [];
      await new Promise<void>((resolve) => {
        call.on('data', (event: pb.ListenResponse) => {
          seen.push(event);
          if (seen.length === 2) resolve();
        });
      });
      call.on('error', () => {
        // CANCELLED: what cancelling a call answers.
      });
      call.cancel();
      expect(seen.map((e) => e.event?.$case)).toEqual(['run', 'run']);
    } finally {
      await trigger.close();
    }
  });
});
