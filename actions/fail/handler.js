// @ts-check
// fail: stops the run with the code and message given, as any action's ActionError does.
import { ActionError } from './errors.js';

const CODE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/**
 * @param {{ code?: string, message?: string }} inputs
 * @returns {never}
 */
export function handle(inputs) {
  const code = inputs.code ?? 'failed';
  if (!CODE.test(code) || code.length > 64) {
    throw new ActionError(`code must be snake_case (lower-case letters, digits and single underscores, at most 64), not ${JSON.stringify(code.slice(0, 80))}`, 'bad_input');
  }
  const message = String(inputs.message ?? '').trim();
  throw new ActionError(message === '' ? 'the workflow stopped here (fail step)' : message, code);
}
