import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Why an execution failed: an ActionError's code, or one of the wrapper's codes (see action.proto RunError). */
export type Failure = { readonly code: string; readonly message: string; readonly stack?: string };

export const FailureCode = {
  error: 'error',
  timeout: 'timeout',
  badInput: 'bad_input',
  badOutput: 'bad_output',
  runtimeCrashed: 'runtime_crashed',
  transferFailed: 'transfer_failed',
  loadFailed: 'load_failed',
} as const;

// The wrapper's own code (src/ when run from sources, dist/ when built): its frames are noise to a user.
const ownCode = path.dirname(fileURLToPath(import.meta.url)) + path.sep;
const maxStackLines = 20;

/**
 * An exception of user code as a Failure: ActionError (duck-typed) keeps its code, Ryax's
 * RyaxException (named so, or a subclass of a class named so, with an integer code) its code as a
 * string ('404'); anything else is `error` with a trimmed stack.
 */
export function failureOf(thrown: unknown): Failure {
  if (typeof thrown === 'object' && thrown !== null) {
    const { name, code, message, stack } = thrown as { name?: unknown; code?: unknown; message?: unknown; stack?: unknown };
    if (name === 'ActionError' && typeof code === 'string') {
      return { code, message: typeof message === 'string' ? message : '' };
    }
    if (Number.isInteger(code) && isRyaxException(thrown)) {
      return { code: String(code), message: typeof message === 'string' ? message : '' };
    }
    if (thrown instanceof Error || typeof message === 'string') {
      return { code: FailureCode.error, message: String(message), ...(typeof stack === 'string' ? { stack: trimStack(stack) } : {}) };
    }
  }
  return { code: FailureCode.error, message: `a non-error value was thrown: ${String(thrown)}` };
}

function isRyaxException(thrown: object): boolean {
  if ((thrown as { name?: unknown }).name === 'RyaxException') return true;
  for (let proto: unknown = Object.getPrototypeOf(thrown); proto !== null && typeof proto === 'object'; proto = Object.getPrototypeOf(proto)) {
    if ((proto as { constructor?: { name?: unknown } }).constructor?.name === 'RyaxException') return true;
  }
  return false;
}

/** Drops the frames of Node internals and of the wrapper itself, and keeps at most 20 frames. */
export function trimStack(stack: string): string {
  const lines = stack.split('\n');
  const kept: string[] = [];
  let frames = 0;
  let dropped = 0;
  for (const line of lines) {
    const isFrame = /^\s+at /.test(line);
    if (!isFrame) {
      kept.push(line);
      continue;
    }
    if (line.includes('node:internal') || line.includes(ownCode) || line.includes('node_modules/@grpc/') || frames >= maxStackLines) {
      dropped++;
      continue;
    }
    frames++;
    kept.push(line);
  }
  if (dropped > 0 && frames >= maxStackLines) kept.push(`    … ${dropped} more frames`);
  return kept.join('\n');
}
