// Test support: definitions built directly (no manifest), a wrapper started in-process and a real
// gRPC client on it, and pb.Value builders.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentials } from '@grpc/grpc-js';
import type { ActionDefinition, IoDefinition, IoType } from '@trellis/action-manifest/definition';
import * as pb from '../src/infrastructure/pb/action/v1/action.js';
import { type Wrapper, type WrapperOptions, startWrapper } from '../src/wrapper.js';

export const actionsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'actions');

export function io(name: string, type: IoType, extra: Partial<IoDefinition> = {}): IoDefinition {
  return { name, type, help: '', optional: false, ...extra };
}

export function anAction(overrides: Partial<ActionDefinition> & Pick<ActionDefinition, 'id'>): ActionDefinition {
  return {
    kind: 'Processor',
    version: '1.0.0',
    name: overrides.id,
    description: '',
    runtime: 'nodejs',
    handler: 'handler.js',
    categories: [],
    inputs: [],
    outputs: [],
    resources: {},
    source: { format: 'trellis', manifest: 'trellis.yaml' },
    ...overrides,
  };
}

/** The ten I/O types as inputs and outputs of the same names (file and directory optional). */
export function typesAction(runtime: 'nodejs' | 'python'): ActionDefinition {
  const all = [
    io('s', 'string'),
    io('ls', 'longstring'),
    io('pw', 'password'),
    io('i', 'integer'),
    io('f', 'float'),
    io('b', 'boolean'),
    io('e', 'enum', { values: ['red', 'green'] }),
    io('j', 'json'),
    io('file', 'file', { optional: true }),
    io('dir', 'directory', { optional: true }),
  ];
  return anAction({
    id: `${runtime}-types`,
    runtime,
    handler: runtime === 'python' ? 'handler.py' : 'handler.js',
    inputs: all,
    outputs: all,
  });
}

const modes = ['ok', 'echo', 'action-error', 'throw', 'hang', 'pid', 'log', 'bad-output', 'missing', 'async', 'sleep', 'context', 'tail'];

export function miscAction(runtime: 'nodejs' | 'python'): ActionDefinition {
  return anAction({
    id: `${runtime}-misc`,
    runtime,
    handler: runtime === 'python' ? 'handler.py' : 'handler.js',
    inputs: [io('mode', 'enum', { values: modes }), io('text', 'string', { optional: true }), io('size', 'integer', { optional: true })],
    outputs: [io('result', 'string')],
  });
}

export function triggerAction(runtime: 'nodejs' | 'python'): ActionDefinition {
  return anAction({
    id: `${runtime}-trigger`,
    kind: 'Trigger',
    runtime,
    handler: runtime === 'python' ? 'handler.py' : 'handler.js',
    inputs: [io('count', 'integer'), io('everyMs', 'integer'), io('prefix', 'string')],
    outputs: [io('n', 'integer'), io('label', 'string')],
  });
}

export const v = {
  string: (value: string): pb.Value => ({ kind: { $case: 'stringValue', stringValue: value } }),
  longstring: (value: string): pb.Value => ({ kind: { $case: 'longstringValue', longstringValue: value } }),
  password: (value: string): pb.Value => ({ kind: { $case: 'passwordValue', passwordValue: value } }),
  integer: (value: string | number): pb.Value => ({ kind: { $case: 'integerValue', integerValue: String(value) } }),
  float: (value: number): pb.Value => ({ kind: { $case: 'floatValue', floatValue: value } }),
  boolean: (value: boolean): pb.Value => ({ kind: { $case: 'booleanValue', booleanValue: value } }),
  enum: (value: string): pb.Value => ({ kind: { $case: 'enumValue', enumValue: value } }),
  json: (value: string): pb.Value => ({ kind: { $case: 'jsonValue', jsonValue: value } }),
  file: (url: string, name: string): pb.Value => ({ kind: { $case: 'fileValue', fileValue: { url, name, sizeBytes: '0' } } }),
  directory: (url: string): pb.Value => ({ kind: { $case: 'directoryValue', directoryValue: { url, sizeBytes: '0' } } }),
};

export type TestWrapper = {
  wrapper: Wrapper;
  client: pb.ActionServiceClient;
  run(request: Partial<pb.RunRequest>): Promise<pb.RunResponse>;
  init(): Promise<pb.InitResponse>;
  health(): Promise<pb.HealthResponse>;
  close(): Promise<void>;
};

let executions = 0;

export async function startTestWrapper(
  folder: string,
  definition: ActionDefinition,
  options: Partial<WrapperOptions> = {},
): Promise<TestWrapper> {
  const wrapper = await startWrapper({ folder: path.join(actionsDir, folder), definition, ...options });
  const client = new pb.ActionServiceClient(`127.0.0.1:${wrapper.port}`, credentials.createInsecure());
  const unary =
    <Req, Res>(method: (req: Req, cb: (error: Error | null, res: Res) => void) => unknown) =>
    (request: Req) =>
      new Promise<Res>((resolve, reject) => method.call(client, request, (error, res) => (error ? reject(error) : resolve(res))));
  return {
    wrapper,
    client,
    run: (request) =>
      unary<pb.RunRequest, pb.RunResponse>(client.run)(pb.RunRequest.fromPartial({ executionId: `exec-${++executions}`, ...request })),
    init: () => unary<pb.InitRequest, pb.InitResponse>(client.init)({ contractVersion: 'v1' }),
    health: () => unary<pb.HealthRequest, pb.HealthResponse>(client.health)({}),
    async close() {
      client.close();
      await wrapper.close();
    },
  };
}

/** The plain value of a pb.Value, for assertions. */
export function plain(value: pb.Value | undefined): unknown {
  const kind = value?.kind;
  if (kind === undefined) return undefined;
  return (kind as Record<string, unknown>)[kind.$case];
}

/** Every event of a Listen stream until it ends. */
export function collect(call: NodeJS.ReadableStream): Promise<pb.ListenResponse[]> {
  return new Promise((resolve, reject) => {
    const events: pb.ListenResponse[] = [];
    call.on('data', (event: pb.ListenResponse) => events.push(event));
    call.on('end', () => resolve(events));
    call.on('error', reject);
  });
}
