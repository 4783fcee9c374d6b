import type { JsonValue } from '@trellis/kernel/io';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import type { IoDeclaration } from '@trellis/workflow-language/document';
import { staticFits } from '@trellis/workflow-language/value-types';
import { isStoredFile, type StoredFile } from './stored-file.js';

/*
 * What a caller of an HTTP trigger sends, checked against the trigger's declared inputs: a JSON
 * object body (values as they are), a query string, or a multipart form (text fields read by
 * their declared type like query values; file parts already stored, as StoredFile). File and
 * directory inputs come only as file parts of a form. Every bad input is named at once; a value
 * is never echoed back (it may be a password).
 */

export type InputFinding = {
  readonly input: string;
  readonly code: 'required_input_missing' | 'unknown_input' | 'type_mismatch' | 'repeated_input' | 'file_needs_multipart' | 'file_expected';
  readonly message: string;
};

/** A query string value: `?n=1` gives '1', `?n=1&n=2` a list; in a form, a file part is a StoredFile. */
export type QueryValue = string | readonly string[] | StoredFile | undefined;

export type InputSource = 'body' | 'query' | 'form';

const INTEGER = /^-?(0|[1-9][0-9]*)$/;

/** A query string value read by its declared type; undefined when it cannot be. */
function fromQuery(text: string, declaration: IoDeclaration): JsonValue | undefined {
  switch (declaration.type) {
    case 'integer':
      return INTEGER.test(text) ? Number(text) : undefined;
    case 'float': {
      const number = text.trim() === '' ? Number.NaN : Number(text);
      return Number.isFinite(number) ? number : undefined;
    }
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : undefined;
    case 'json':
      try {
        return JSON.parse(text) as JsonValue;
      } catch {
        return undefined;
      }
    default:
      return text;
  }
}

const queryExpectation: Partial<Record<IoDeclaration['type'], string>> = {
  integer: 'a whole number', float: 'a number', boolean: 'true or false', json: 'JSON text',
};

/** One declared input's value, or what is wrong with it. */
function checkOne(declaration: IoDeclaration, given: JsonValue | QueryValue, from: InputSource): Result<JsonValue | undefined, InputFinding> {
  const { name } = declaration;
  if (given === undefined || given === null) {
    if (declaration.default !== undefined) return ok(declaration.default);
    if (declaration.optional) return ok(null);
    return rejected({ input: name, code: 'required_input_missing', message: `${name} is required (${declaration.type}).` });
  }
  if (declaration.type === 'file' || declaration.type === 'directory') {
    if (from !== 'form') {
      return rejected({ input: name, code: 'file_needs_multipart', message: `${name} is a ${declaration.type} input: send it as a file part of a multipart/form-data request.` });
    }
    if (Array.isArray(given)) return rejected({ input: name, code: 'repeated_input', message: `${name} is given more than once.` });
    if (!isStoredFile(given)) return rejected({ input: name, code: 'file_expected', message: `${name} is a ${declaration.type} input and takes a file part, not a text field.` });
    return ok(given);
  }
  if (isStoredFile(given)) return rejected({ input: name, code: 'type_mismatch', message: `${name} is ${declaration.type}: send it as a text field, not a file.` });
  let value: JsonValue;
  if (from !== 'body') {
    if (typeof given !== 'string') return rejected({ input: name, code: 'repeated_input', message: `${name} is given more than once.` });
    const read = fromQuery(given, declaration);
    if (read === undefined) return rejected({ input: name, code: 'type_mismatch', message: `${name} needs ${queryExpectation[declaration.type] ?? 'a value'}.` });
    value = read;
  } else {
    value = given as JsonValue;
  }
  const fit = staticFits(value, declaration.values === undefined ? { type: declaration.type } : { type: declaration.type, values: declaration.values });
  // The reason describes the value: fine for most, but a password's text is never repeated.
  if (!fit.ok) return rejected({ input: name, code: 'type_mismatch', message: declaration.type === 'password' ? `${name} needs a string.` : `${name}: ${fit.reason}.` });
  return ok(value);
}

/** The trigger's outputs for these inputs (defaults filled in, optional ones left out as null), or every bad input. */
export function checkTriggerInputs(
  declared: readonly IoDeclaration[],
  given: Readonly<Record<string, JsonValue | QueryValue>>,
  from: InputSource,
): Result<Record<string, JsonValue>, readonly InputFinding[]> {
  const findings: InputFinding[] = [];
  const outputs: Record<string, JsonValue> = {};
  const names = new Set(declared.map((declaration) => declaration.name));
  for (const name of Object.keys(given)) {
    if (!names.has(name)) findings.push({ input: name, code: 'unknown_input', message: `${name} is not an input of this trigger.` });
  }
  for (const declaration of declared) {
    const value = Object.hasOwn(given, declaration.name) ? given[declaration.name] : undefined;
    const checked = checkOne(declaration, value, from);
    if (!checked.ok) findings.push(checked.error);
    else if (checked.value !== undefined) outputs[declaration.name] = checked.value;
  }
  return findings.length > 0 ? rejected(findings) : ok(outputs);
}
