// The Python runtime (one long-lived python3 child) through the real wrapper over real gRPC.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestWrapper, collect, miscAction, plain, startTestWrapper, triggerAction, typesAction, v } from './harness.js';

describe('a Python processor', () => {
  let types: TestWrapper;
  let misc: TestWrapper;
  let scratch = '';
  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'trellis-py-'));
    types = await startTestWrapper('py-types', typesAction('python'));
    misc = await startTestWrapper('py-misc', miscAction('python'), { timeoutMs: 5_000, logLimitBytes: 1024 });
  });
  afterAll(async () => {
    await types?.close();
    await misc?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('reports concurrency 1 in Init (one child, sequential executions)', async () => {
    const init = await misc.init();
    expect(init.action?.runtime).toBe('python');
    expect(init.action?.concurrency).toBe(1);
  });

  it('carries the eight scalar types both ways, exactly', async () => {
    const json = '{"a":[1,2.5,{"b":null}],"c":"é"}';
    const response = await types.run({
      inputs: {
        s: v.string('hello'),
        ls: v.longstring('line 1\nline 2 ✓\n'.repeat(100)),
        pw: v.password('s3cr3t'),
        i: v.integer('-9007199254740991'),
        f: v.float(-0.125),
        b: v.boolean(true),
        e: v.enum('red'),
        j: v.json(json),
      },
    });
    expect(response.error).toBeUndefined();
    expect(Object.fromEntries(Object.entries(response.outputs).map(([k, value]) => [k, plain(value)]))).toEqual({
      s: 'hello',
      ls: 'line 1\nline 2 ✓\n'.repeat(100),
      pw: 's3cr3t',
      i: '-9007199254740991',
      f: -0.125,
      b: true,
      e: 'red',
      j: expect.any(String),
    });
    expect(response.outputs['f']?.kind?.$case).toBe('floatValue');
    expect(response.outputs['ls']?.kind?.$case).toBe('longstringValue');
    expect(response.outputs['pw']?.kind?.$case).toBe('passwordValue');
    expect(JSON.parse(plain(response.outputs['j']) as string)).toEqual(JSON.parse(json));
  });

  it('captures print() and context.log per execution', async () => {
    const response = await misc.run({ executionId: 'py-echo', inputs: { mode: v.enum('echo'), text: v.string('hi') } });
    expect(plain(response.outputs['result'])).toBe('hi');
    expect(response.logs).toEqual({ stdout: 'log hi\nctx hi py-echo\n', stderr: 'err hi\n', truncated: false });
  });

  it('hands the idempotency key and the attempt to the handler (context.idempotency_key, context.attempt)', async () => {
    const response = await misc.run({ executionId: 'py-ctx', idempotencyKey: 'run-7:step-b', attempt: 2, inputs: { mode: v.enum('context') } });
    expect(response.error).toBeUndefined();
    expect(JSON.parse(plain(response.outputs['result']) as string)).toEqual({ idempotencyKey: 'run-7:step-b', attempt: 2, executionId: 'py-ctx' });
    const unset = await misc.run({ executionId: 'py-ctx-2', inputs: { mode: v.enum('context') } });
    expect(JSON.parse(plain(unset.outputs['result']) as string)).toEqual({ idempotencyKey: '', attempt: 0, executionId: 'py-ctx-2' });
  });

  it('awaits an async handler', async () => {
    const response = await misc.run({ inputs: { mode: v.enum('async'), text: v.string('quiet') } });
    expect(plain(response.outputs['result'])).toBe('QUIET');
    expect(response.logs?.stdout).toBe('async quiet\n');
  });

  it('turns an ActionError into its code and message', async () => {
    const response = await misc.run({ inputs: { mode: v.enum('action-error') } });
    expect(response.error).toEqual({ code: 'not_found', message: 'no such customer', stack: '' });
  });

  it('turns a raised exception into code error with a trimmed traceback of user code', async () => {
    const response = await misc.run({ inputs: { mode: v.enum('throw') } });
    expect(response.error?.code).toBe('error');
    expect(response.error?.message).toBe('ValueError: the widget is broken');
    expect(response.error?.stack).toMatch(/py-misc\/handler\.py", line \d+, in deep_in_user_code/);
    expect(response.error?.stack).not.toMatch(/trellis_runtime\.py/);
  });

  it('names a mistyped output and a missing one (bad_output)', async () => {
    expect((await misc.run({ inputs: { mode: v.enum('bad-output') } })).error).toMatchObject({
      code: 'bad_output',
      message: "output 'result' must be a string; got the integer 42",
    });
    expect((await misc.run({ inputs: { mode: v.enum('missing') } })).error).toMatchObject({ code: 'bad_output', message: "output 'result' (string) is missing" });
  });

  it('bounds the logs and marks the cut', async () => {
    const response = await misc.run({ inputs: { mode: v.enum('log'), size: v.integer(3000) } });
    expect(response.logs?.truncated).toBe(true);
    expect(response.logs?.stdout).toBe(`${'x'.repeat(1024)}…[truncated ${3000 - 1024} bytes]`);
  });

  it('stops a hung handler at its timeout (by killing the child) and serves the next run', async () => {
    const response = await misc.run({ inputs: { mode: v.enum('hang') }, timeoutMs: 300 });
    expect(response.error?.code).toBe('timeout');
    const next = await misc.run({ inputs: { mode: v.enum('ok') } });
    expect(next.error).toBeUndefined();
    expect(plain(next.outputs['result'])).toBe('ok');
  });

  it('reports a child killed mid-execution as runtime_crashed and restarts it', async () => {
    const pidFile = path.join(scratch, 'pid');
    const running = misc.run({ inputs: { mode: v.enum('pid'), text: v.string(pidFile) } });
    const pid = await waitForPid(pidFile);
    process.kill(pid, 'SIGKILL');
    const crashed = await running;
    expect(crashed.error?.code).toBe('runtime_crashed');
    expect(crashed.error?.message).toMatch(/killed by SIGKILL/);
    const next = await misc.run({ inputs: { mode: v.enum('echo'), text: v.string('again') } });
    expect(next.error).toBeUndefined();
    expect(plain(next.outputs['result'])).toBe('again');
  });

  it('queues concurrent calls on its one child, each with its own logs', async () => {
    const responses = await Promise.all(Array.from({ length: 20 }, (_, n) => misc.run({ inputs: { mode: v.enum('echo'), text: v.string(`p${n}`) } })));
    responses.forEach((response, n) => {
      expect(plain(response.outputs['result'])).toBe(`p${n}`);
      expect(response.logs?.stderr).toBe(`err p${n}\n`);
    });
  });
});

describe('a Python trigger', () => {
  it('streams each emitted run on Listen, then its failure as an error event', async () => {
    const trigger = await startTestWrapper('py-trigger', triggerAction('python'));
    try {
      const events = await collect(trigger.client.listen({ listenId: 'py', inputs: { count: v.integer(3), everyMs: v.integer(10), prefix: v.string('fail') }, acknowledges: false, lastEvent: {} }));
      expect(events.map((e) => e.event?.$case)).toEqual(['run', 'run', 'run', 'error']);
      const runs = events.flatMap((e) => (e.event?.$case === 'run' ? [e.event.run] : []));
      expect(runs.map((r) => plain(r.outputs['label']))).toEqual(['fail-0', 'fail-1', 'fail-2']);
      expect(runs.map((r) => plain(r.outputs['n']))).toEqual(['0', '1', '2']);
      expect(events[2]?.logs?.stdout).toBe('tick 2\n');
      const last = events[3]?.event;
      expect(last?.$case === 'error' && last.error.message).toBe('RuntimeError: the source went away');
    } finally {
      await trigger.close();
    }
  });
});

async function waitForPid(file: string): Promise<number> {
  for (let i = 0; i < 200; i++) {
    try {
      const pid = Number(readFileSync(file, 'utf8'));
      if (pid > 0) return pid;
    } catch {
      // not written yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no pid in ${file}`);
}
