// @ts-check

/** A failure the run reports with a stable code; the wrapper recognises it by name and code. */
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
