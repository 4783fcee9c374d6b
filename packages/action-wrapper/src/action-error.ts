/**
 * The error a handler throws to fail a run with a stable code (an HTTP trigger returns it to its
 * caller). User code need not import this class: the wrapper recognises any thrown error whose
 * `name` is 'ActionError' and whose `code` is a string.
 *
 *   import { ActionError } from '@trellis/action-wrapper/action-error';
 *   throw new ActionError('no such customer', 'not_found');
 */
export class ActionError extends Error {
  override readonly name = 'ActionError';
  readonly code: string;

  constructor(message: string, code = 'error', options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
