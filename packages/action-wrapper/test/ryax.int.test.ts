// Ryax actions as their authors write them, through the real wrapper over real gRPC: the
// definition's source.format ('ryax') decides how the handler is called.
import type { ActionDefinition } from '@trellis/action-manifest/definition';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as pb from '../src/infrastructure/pb/action/v1/action.js';
import { type TestWrapper, anAction, collect, io, plain, startTestWrapper, v } from './harness.js';

const ryax = { format: 'ryax', manifest: 'ryax_metadata.yaml' } as const;

function ryaxProcessor(handler: string): ActionDefinition {
  return anAction({
    id: 'ryax-py-processor',
    runtime: 'python',
    handler,
    source: ryax,
    inputs: [
      io('mode', 'enum', { values: ['echo', 'types', 'ryax-error', 'ryax-subclass', 'throw'], optional: true }),
      io('text', 'string', { optional: true }),
      io('ratio', 'float', { optional: true }),
      io('scale', 'float', { default: 2 }),
      io('count', 'integer', { optional: true }),
      io('token', 'password', { default: 'hunter2-default' }),
    ],
    outputs: [io('result', 'string')],
  });
}

const ryaxSource = anAction({
  id: 'ryax-py-source',
  kind: 'Trigger',
  runtime: 'python',
  handler: 'ryax_run.py',
  source: ryax,
  inputs: [
    io('mode', 'enum', { values: ['count', 'optional', 'fail', 'serve'] }),
    io('count', 'integer', { optional: true }),
    io('prefix', 'string', { optional: true }),
    io('ratio', 'float', { default: 1 }),
    // Declared, so marked injected by the manifest reader; ryax_endpoint_port is left undeclared.
    io('ryax_endpoint_prefix', 'string', { injected: 'http_prefix' }),
  ],
  outputs: [io('n', 'integer'), io('label', 'string')],
});

const ryaxNode = (folder: string): ActionDefinition =>
  anAction({
    id: folder,
    handler: 'ryax_handler.js',
    source: ryax,
    inputs: [io('input_str', 'string'), io('note', 'string', { optional: true })],
    outputs: [io('output_str', 'string')],
  });

const outputsOf = (response: pb.RunResponse) => Object.fromEntries(Object.entries(response.outputs).map(([name, value]) => [name, plain(value)]));

describe('a Ryax Python processor', () => {
  let processor: TestWrapper;
  const diagnostics: string[] = [];
  beforeAll(async () => {
    processor = await startTestWrapper('ryax-py-processor', ryaxProcessor('ryax_handler.py'), { diagnostics: (text) => void diagnostics.push(text) });
  });
  afterAll(async () => {
    await processor?.close();
  });

  it('is called handle(mod_in), with one argument, and its dict is the outputs', async () => {
    const response = await processor.run({ inputs: { mode: v.enum('echo'), text: v.string('hello') } });
    expect(response.error).toBeUndefined();
    expect(outputsOf(response)).toEqual({ result: 'hello' });
    expect(response.logs?.stdout).toBe('echo hello\n');
  });

  it('gets None for an optional input without a value, floats as floats even when whole, a password default as a secret string', async () => {
    const response = await processor.run({ inputs: { mode: v.enum('types'), ratio: v.float(5) } });
    expect(response.error).toBeUndefined();
    expect(JSON.parse(plain(response.outputs['result']) as string)).toEqual({
      mode: ['str', 'types'],
      text: ['NoneType', null],
      count: ['NoneType', null],
      ratio: ['float', 5],
      scale: ['float', 2],
      token: ['str', 'hunter2-default'.length],
    });
    expect(JSON.stringify(response)).not.toContain('hunter2');
    expect(diagnostics.join('')).not.toContain('hunter2');
  });

  it('maps a RyaxException (its own dataclass, or a subclass) to its integer code as a string', async () => {
    expect((await processor.run({ inputs: { mode: v.enum('ryax-error') } })).error).toEqual({ code: '404', message: 'no such user', stack: '' });
    expect((await processor.run({ inputs: { mode: v.enum('ryax-subclass') } })).error).toEqual({ code: '410', message: 'the user left', stack: '' });
  });

  it('fails on any other exception with its message', async () => {
    const response = await processor.run({ inputs: { mode: v.enum('throw') } });
    expect(response.error?.code).toBe('error');
    expect(response.error?.message).toBe('ValueError: the widget is broken');
  });
});

describe('an async Ryax Python processor', () => {
  it('is awaited', async () => {
    const wrapper = await startTestWrapper('ryax-py-async', ryaxProcessor('ryax_handler.py'));
    try {
      const response = await wrapper.run({ inputs: { text: v.string('quiet') } });
      expect(response.error).toBeUndefined();
      expect(outputsOf(response)).toEqual({ result: 'QUIET' });
      expect(response.logs?.stdout).toBe('async quiet\n');
    } finally {
      await wrapper.close();
    }
  });
});

describe('a Ryax Python source', () => {
  let source: TestWrapper;
  beforeAll(async () => {
    source = await startTestWrapper('ryax-py-source', ryaxSource, { httpPrefix: '/hooks/mine' });
  });
  afterAll(async () => {
    await source?.close();
  });

  it('imports RyaxSourceProtocol (both paths) and its create_run calls reach Listen as runs, create_run_error as an error event', async () => {
    const call = source.client.listen({ listenId: 'ryax', inputs: { mode: v.enum('count'), count: v.integer(3), prefix: v.string('tick') }, acknowledges: false, lastEvent: {} });
    const events = await firstEvents(call, 5);
    call.cancel();
    expect(events.map((e) => e.event?.$case)).toEqual(['run', 'run', 'run', 'error', 'run']);
    const runs = events.flatMap((e) => (e.event?.$case === 'run' ? [e.event.run] : []));
    expect(runs.map((r) => [plain(r.outputs['n']), plain(r.outputs['label'])])).toEqual([
      ['0', 'tick-0'],
      ['1', 'tick-1'],
      ['2', 'tick-2'],
      ['99', 'no await'],
    ]);
    expect(events[0]?.logs?.stdout).toBe('tick 0\n');
    const failed = events[3]?.event;
    expect(failed?.$case === 'error' && failed.error).toMatchObject({ code: 'error', message: 'the trigger created a run with status ERROR' });
  });

  it('gets None for an unset optional input and a float for a whole float default; returning ends the stream', async () => {
    const events = await collect(source.client.listen({ listenId: 'opt', inputs: { mode: v.enum('optional') }, acknowledges: false, lastEvent: {} }));
    expect(events.map((e) => (e.event?.$case === 'run' ? plain(e.event.run.outputs['label']) : e.event))).toEqual(['None float']);
  });

  it('maps a RyaxException raised by run to an error event with its code', async () => {
    const events = await collect(source.client.listen({ listenId: 'fail', inputs: { mode: v.enum('fail') }, acknowledges: false, lastEvent: {} }));
    const last = events.at(-1)?.event;
    expect(last?.$case === 'error' && last.error).toEqual({ code: '503', message: 'the upstream is down', stack: '' });
  });

  it('serves HTTP on RYAX_SOURCE_PORT, which is also the input ryax_endpoint_port (undeclared), with ryax_endpoint_prefix (declared, injected)', async () => {
    const endpoint = source.wrapper.httpEndpoint;
    expect(endpoint?.prefix).toBe('/hooks/mine');
    expect(endpoint?.port).toBeGreaterThan(0);
    const call = source.client.listen({ listenId: 'serve', inputs: { mode: v.enum('serve') }, acknowledges: false, lastEvent: {} });
    const events = firstEvents(call, 1);
    const answer = await fetchWhenUp(`http://127.0.0.1:${endpoint?.port}/hooks/mine/ping`);
    expect(answer).toBe('ok');
    const [event] = await events;
    call.cancel();
    expect(event?.event?.$case === 'run' && outputsOf({ outputs: event.event.run.outputs } as pb.RunResponse)).toEqual({
      n: String(endpoint?.port),
      label: '/hooks/mine /hooks/mine/ping',
    });
  });
});

describe('a Ryax Node.js processor', () => {
  it('may be the module itself (module.exports = handle), called with one argument; None-like optional is null', async () => {
    const wrapper = await startTestWrapper('ryax-node-cjs', ryaxNode('ryax-node-cjs'));
    try {
      const response = await wrapper.run({ inputs: { input_str: v.string('shout') } });
      expect(response.error).toBeUndefined();
      expect(outputsOf(response)).toEqual({ output_str: 'SHOUT (1 argument, optional null)' });
      expect((await wrapper.run({ inputs: { input_str: v.string('missing') } })).error).toEqual({ code: '404', message: 'nothing here', stack: '' });
    } finally {
      await wrapper.close();
    }
  });

  it('may be the default export of an ES module', async () => {
    const wrapper = await startTestWrapper('ryax-node-esm', ryaxNode('ryax-node-esm'));
    try {
      expect(outputsOf(await wrapper.run({ inputs: { input_str: v.string('hi') } }))).toEqual({ output_str: 'esm hi' });
    } finally {
      await wrapper.close();
    }
  });

  it('is not a trigger: Ryax has no Node.js sources', async () => {
    await expect(startTestWrapper('ryax-node-cjs', { ...ryaxNode('ryax-node-cjs'), kind: 'Trigger' })).rejects.toThrow(/Ryax has no Node\.js triggers/);
  });
});

describe('a Trellis handler exporting only a function as the module', () => {
  it('is refused: module.exports = fn is the Ryax form only', async () => {
    await expect(startTestWrapper('ryax-node-cjs', { ...ryaxNode('ryax-node-cjs'), source: { format: 'trellis', manifest: 'trellis.yaml' } })).rejects.toThrow(
      /does not export a function handle\(inputs, context\)/,
    );
  });
});

/** The first `count` events of a Listen stream (it stays open). */
function firstEvents(call: NodeJS.ReadableStream, count: number): Promise<pb.ListenResponse[]> {
  return new Promise((resolve, reject) => {
    const events: pb.ListenResponse[] = [];
    call.on('data', (event: pb.ListenResponse) => {
      events.push(event);
      if (events.length === count) resolve(events);
    });
    call.on('error', (error: { code?: number }) => {
      if (events.length < count) reject(error as Error);
    });
    call.on('end', () => reject(new Error(`the stream ended after ${events.length} events`)));
  });
}

/** GETs the URL once the trigger's server accepts connections (it starts after Listen). */
async function fetchWhenUp(url: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await (await fetch(url)).text();
    } catch (error) {
      if (attempt >= 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
