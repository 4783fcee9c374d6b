// action.proto messages <-> the wrapper's own types. The only place besides the server that sees pb types.
import type { ActionDefinition } from '@trellis/action-manifest/definition';
import type { ExecutionRequest, ExecutionResult, ListenRequest, TriggerEvent } from '../executor.js';
import type { Failure } from '../failure.js';
import type { CapturedLogs } from '../log-capture.js';
import type { WireValue } from '../values.js';
import type * as pb from './pb/action/v1/action.js';

export const contractVersion = 'v1';

export function wireValueOf(value: pb.Value): WireValue | undefined {
  const kind = value.kind;
  switch (kind?.$case) {
    case undefined:
      return undefined;
    case 'stringValue':
      return { type: 'string', value: kind.stringValue };
    case 'longstringValue':
      return { type: 'longstring', value: kind.longstringValue };
    case 'passwordValue':
      return { type: 'password', value: kind.passwordValue };
    case 'integerValue':
      return { type: 'integer', value: kind.integerValue };
    case 'floatValue':
      return { type: 'float', value: kind.floatValue };
    case 'booleanValue':
      return { type: 'boolean', value: kind.booleanValue };
    case 'enumValue':
      return { type: 'enum', value: kind.enumValue };
    case 'jsonValue':
      return { type: 'json', value: kind.jsonValue };
    case 'fileValue':
      return { type: 'file', url: kind.fileValue.url, name: kind.fileValue.name };
    case 'directoryValue':
      return { type: 'directory', url: kind.directoryValue.url };
  }
}

export function pbValueOf(value: WireValue): pb.Value {
  switch (value.type) {
    case 'string':
      return { kind: { $case: 'stringValue', stringValue: value.value } };
    case 'longstring':
      return { kind: { $case: 'longstringValue', longstringValue: value.value } };
    case 'password':
      return { kind: { $case: 'passwordValue', passwordValue: value.value } };
    case 'enum':
      return { kind: { $case: 'enumValue', enumValue: value.value } };
    case 'json':
      return { kind: { $case: 'jsonValue', jsonValue: value.value } };
    case 'integer':
      return { kind: { $case: 'integerValue', integerValue: value.value } };
    case 'float':
      return { kind: { $case: 'floatValue', floatValue: value.value } };
    case 'boolean':
      return { kind: { $case: 'booleanValue', booleanValue: value.value } };
    case 'file':
      return { kind: { $case: 'fileValue', fileValue: { url: value.url, name: value.name, sizeBytes: String(value.sizeBytes ?? 0) } } };
    case 'directory':
      return { kind: { $case: 'directoryValue', directoryValue: { url: value.url, sizeBytes: String(value.sizeBytes ?? 0) } } };
  }
}

/** Decodes a value map; a value with no case set is a malformed request. */
export function wireValuesOf(values: Record<string, pb.Value>, field: string): { values: Record<string, WireValue>; problems: string[] } {
  const decoded: Record<string, WireValue> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    const wire = wireValueOf(value);
    if (wire === undefined) problems.push(`${field}['${name}'] has no value set`);
    else decoded[name] = wire;
  }
  return { values: decoded, problems };
}

export function pbValuesOf(values: Readonly<Record<string, WireValue>>): Record<string, pb.Value> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, pbValueOf(value)]));
}

export function executionRequestOf(request: pb.RunRequest): { request: ExecutionRequest; problems: string[] } {
  const { values, problems } = wireValuesOf(request.inputs, 'inputs');
  return {
    request: {
      executionId: request.executionId, idempotencyKey: request.idempotencyKey, attempt: request.attempt,
      inputs: values, outputUrls: request.outputUrls, timeoutMs: request.timeoutMs,
    },
    problems,
  };
}

export function listenRequestOf(request: pb.ListenRequest): { request: ListenRequest; problems: string[] } {
  const { values, problems } = wireValuesOf(request.inputs, 'inputs');
  const last = wireValuesOf(request.lastEvent, 'last_event');
  return {
    request: { listenId: request.listenId, inputs: values, acknowledges: request.acknowledges, lastEvent: last.values },
    problems: [...problems, ...last.problems],
  };
}

function pbLogsOf(logs: CapturedLogs): pb.Logs {
  return { stdout: logs.stdout, stderr: logs.stderr, truncated: logs.truncated };
}

function pbErrorOf(error: Failure): pb.RunError {
  return { code: error.code, message: error.message, stack: error.stack ?? '' };
}

export function runResponseOf(result: ExecutionResult): pb.RunResponse {
  return {
    executionId: result.executionId,
    outputs: pbValuesOf(result.outputs),
    error: result.error === undefined ? undefined : pbErrorOf(result.error),
    logs: pbLogsOf(result.logs),
    durationMs: result.durationMs,
  };
}

export function listenResponseOf(event: TriggerEvent): pb.ListenResponse {
  switch (event.type) {
    case 'run':
      return { event: { $case: 'run', run: { runId: event.runId, outputs: pbValuesOf(event.outputs) } }, logs: pbLogsOf(event.logs) };
    case 'error':
      return { event: { $case: 'error', error: pbErrorOf(event.error) }, logs: pbLogsOf(event.logs) };
  }
}

export function initResponseOf(definition: ActionDefinition, wrapperVersion: string, timeoutMs: number, concurrency: number): pb.InitResponse {
  const io = (list: ActionDefinition['inputs']): pb.IoSummary[] =>
    list.map((item) => ({ name: item.name, type: item.type, optional: item.optional, enumValues: [...(item.values ?? [])] }));
  return {
    contractVersion,
    wrapperVersion,
    action: {
      id: definition.id,
      version: definition.version,
      kind: definition.kind,
      runtime: definition.runtime,
      inputs: io(definition.inputs),
      outputs: io(definition.outputs),
      timeoutMs,
      concurrency,
    },
  };
}
