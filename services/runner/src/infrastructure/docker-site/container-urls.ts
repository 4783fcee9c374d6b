import type { JsonValue } from '@trellis/kernel/io';
import type { ActionValues, ActionVersionRef, Call } from '../../application/site.js';

const isRecord = (value: JsonValue): value is Record<string, JsonValue> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The call as a container sees it: every file and directory URL (inputs and outputs) through `translate`. */
export function callForContainer(action: ActionVersionRef, call: Call, translate: (url: string) => string): Call {
  return { ...call, inputs: valuesForContainer(action.inputs, call.inputs, translate), outputUrls: Object.fromEntries(Object.entries(call.outputUrls).map(([name, url]) => [name, translate(url)])) };
}

/** Inputs with their file and directory URLs through `translate` (other values as they are). */
export function valuesForContainer(specs: ActionVersionRef['inputs'], values: ActionValues, translate: (url: string) => string): ActionValues {
  const types = new Map(specs.map((io) => [io.name, io.type]));
  return Object.fromEntries(Object.entries(values).map(([name, value]) => {
    const type = types.get(name);
    if ((type !== 'file' && type !== 'directory') || !isRecord(value) || typeof value['url'] !== 'string') return [name, value];
    return [name, { ...value, url: translate(value['url']) }];
  }));
}
