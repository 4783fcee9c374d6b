// @ts-check

/**
 * An expected failure: the run fails with a stable `code` and a message that says what to fix.
 * The wrapper knows it by its name and code (no import from Trellis needed).
 */
export class ActionError extends Error {
  /**
   * @param {string} message what went wrong and what to fix
   * @param {string} code a stable snake_case code
   */
  constructor(message, code) {
    super(message);
    this.name = 'ActionError';
    this.code = code;
  }
}
