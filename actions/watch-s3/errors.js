// @ts-check

/** An expected failure: the run fails with this stable code and a message that says what to fix. */
export class ActionError extends Error {
  /** @param {string} message @param {string} code */
  constructor(message, code) {
    super(message);
    this.name = 'ActionError';
    this.code = code;
  }
}
