import { TrellisApiError } from '@trellis/sdk';
import { describeError } from '../../ui/ErrorAlert.js';

/**
 * Which form field a refusal is about, by the API's code (e.g. invalid_name -> the Name field),
 * with the API's reason as the message; undefined when it is about the whole form.
 */
export function fieldRefusal<Field extends string>(error: unknown, fields: Partial<Record<string, Field>>): { field: Field; message: string } | undefined {
  if (!(error instanceof TrellisApiError)) return undefined;
  const field = fields[error.code];
  return field === undefined ? undefined : { field, message: describeError(error).detail };
}
