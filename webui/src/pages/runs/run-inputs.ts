import type { DraftInputDeclaration } from '../../editor/draft.js';

/*
 * The manual run form, from the trigger's input declarations: what each field holds while a
 * person types (text for numbers and JSON, so a half-typed value is not lost), and the inputs
 * sent once it is submitted. A field left empty is left out, so the trigger's default applies.
 */

export type FieldValue = string | boolean | File | null;

export function initialValue(declaration: DraftInputDeclaration): FieldValue {
  const fallback = declaration.default;
  switch (declaration.type) {
    case 'boolean':
      return typeof fallback === 'boolean' ? fallback : false;
    case 'file':
    case 'directory':
      return null;
    case 'json':
      return fallback === undefined ? '' : JSON.stringify(fallback, null, 2);
    default:
      return fallback === undefined || fallback === null ? '' : String(fallback);
  }
}

export type Read = { ok: true; value: unknown } | { ok: true; absent: true } | { ok: false; message: string };

/** A field's text as the input's value, or what is wrong with it. Files are sent apart (uploaded first). */
export function readField(declaration: DraftInputDeclaration, raw: FieldValue): Read {
  if (declaration.type === 'boolean') return { ok: true, value: raw === true };
  if (raw === null || raw === '') return declaration.optional || declaration.default !== undefined ? { ok: true, absent: true } : { ok: false, message: 'Required' };
  if (typeof raw !== 'string') return { ok: true, value: raw };
  switch (declaration.type) {
    case 'integer': {
      const value = Number(raw);
      return Number.isInteger(value) && raw.trim() !== '' ? { ok: true, value } : { ok: false, message: 'A whole number' };
    }
    case 'float': {
      const value = Number(raw);
      return Number.isFinite(value) && raw.trim() !== '' ? { ok: true, value } : { ok: false, message: 'A number' };
    }
    case 'json':
      try {
        return { ok: true, value: JSON.parse(raw) as unknown };
      } catch (error) {
        return { ok: false, message: `Not JSON: ${error instanceof Error ? error.message : String(error)}` };
      }
    case 'enum':
      return declaration.values?.includes(raw) === false ? { ok: false, message: `One of ${declaration.values.join(', ')}` } : { ok: true, value: raw };
    default:
      return { ok: true, value: raw };
  }
}
