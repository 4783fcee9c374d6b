import type { ActionDefinition, IoDefinition, JsonValue } from '@trellis/action-manifest/definition';

/** What the author asked for on the command line, typed by the action's definition. */
export type LocalInput =
  | { readonly name: string; readonly kind: 'value'; readonly type: IoDefinition['type']; readonly value: string | number | boolean | JsonValue }
  | { readonly name: string; readonly kind: 'file' | 'directory'; readonly path: string };

export type InputsResult = { ok: true; inputs: LocalInput[] } | { ok: false; problems: string[] };

/** A command-line text as a value of the input's type. */
export function convert(io: IoDefinition, raw: string): { value: string | number | boolean | JsonValue } | { problem: string } {
  switch (io.type) {
    case 'string':
    case 'longstring':
    case 'password':
      return { value: raw };
    case 'enum':
      return io.values?.includes(raw) ? { value: raw } : { problem: `${io.name} must be one of ${(io.values ?? []).join(', ')}` };
    case 'integer':
      return /^-?\d+$/.test(raw) && Number.isSafeInteger(Number(raw)) ? { value: Number(raw) } : { problem: `${io.name} must be an integer, got "${raw}"` };
    case 'float':
      return raw.trim() !== '' && Number.isFinite(Number(raw)) ? { value: Number(raw) } : { problem: `${io.name} must be a number, got "${raw}"` };
    case 'boolean':
      return raw === 'true' || raw === 'false' ? { value: raw === 'true' } : { problem: `${io.name} must be true or false, got "${raw}"` };
    case 'json':
      try {
        return { value: JSON.parse(raw) as JsonValue };
      } catch {
        return { problem: `${io.name} must be JSON, got ${raw}` };
      }
    case 'file':
    case 'directory':
      return { problem: `${io.name} is a ${io.type}: give a local path as ${io.name}=@path` };
  }
}

/**
 * Reads `name=value` (or `name=@path` for files and directories) pairs against the action's
 * inputs. Every problem is reported at once; defaults fill what is not given.
 */
export function parseInputs(definition: ActionDefinition, pairs: readonly string[]): InputsResult {
  const problems: string[] = [];
  const given = new Map<string, LocalInput>();
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    const name = equals > 0 ? pair.slice(0, equals) : '';
    const raw = pair.slice(equals + 1);
    const io = definition.inputs.find((input) => input.name === name);
    if (!io) {
      problems.push(equals > 0 ? `unknown input "${name}"; the inputs are: ${definition.inputs.map((i) => i.name).join(', ') || 'none'}` : `"${pair}" is not name=value`);
      continue;
    }
    if (io.type === 'file' || io.type === 'directory') {
      if (!raw.startsWith('@') || raw.length < 2) problems.push(`${name} is a ${io.type}: give a local path as ${name}=@path`);
      else given.set(name, { name, kind: io.type, path: raw.slice(1) });
      continue;
    }
    const converted = convert(io, raw);
    if ('problem' in converted) problems.push(converted.problem);
    else given.set(name, { name, kind: 'value', type: io.type, value: converted.value });
  }
  for (const io of definition.inputs) {
    if (given.has(io.name)) continue;
    if (io.default !== undefined) given.set(io.name, { name: io.name, kind: 'value', type: io.type, value: io.default });
    else if (!io.optional && io.injected === undefined) problems.push(`missing input ${io.name} (${io.type}${io.help ? `: ${io.help}` : ''})`);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, inputs: [...given.values()] };
}
