import { TrellisApiError } from '@trellis/sdk';
import { describeError } from './ErrorAlert.js';

/**
 * Which form field a refusal is about, by the API's code (e.g. invalid_name -> the Name field),
 * with the API's reason as the message; undefined when it is about the whole form.
 */
export function fieldRefusal<Field extends string>(error: unknown, fields: Partial<Record<string, Field>>): { field: Field; message: string } | undefined {
  if (!(error instanceof TrellisApiError)) return undefined;
  const field = fields[error.code];
  return field === undefined ? undefined : { field, message: describeError(error).detail };
}

/**
 * Shows a refusal where it belongs: under the field it is about (by the API's code), or for the
 * whole form.
 */
export function showRefusal<Field extends string>(
  error: unknown, fields: Partial<Record<string, Field>>, form: { setFieldError: (field: Field, message: string) => void }, setError: (error: unknown) => void,
): void {
  const onField = fieldRefusal(error, fields);
  if (onField) form.setFieldError(onField.field, onField.message);
  else setError(error);
}
