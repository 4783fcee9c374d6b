import type { JsonValue } from '@trellis/kernel/io';
import { maskSecretsIn } from '../domain/secret-mask.js';
import type { CallOutcome } from './site.js';

/**
 * The secret values a call was given: the project secrets its run opened and whatever was passed
 * to a `password` input (a caller's own password through a trigger, say).
 */
export function secretsOfCall(
  runSecrets: ReadonlyMap<string, string>, declared: readonly { readonly name: string; readonly type: string }[], inputs: Readonly<Record<string, JsonValue>>,
): string[] {
  const passwords = declared.filter((io) => io.type === 'password').map((io) => inputs[io.name]).filter((value): value is string => typeof value === 'string');
  return [...runSecrets.values(), ...passwords];
}

/** The outcome as it is kept and shown: the secrets masked in its logs and its failure's message (an action may print what it was given). */
export function maskedOutcome(outcome: CallOutcome, secrets: readonly string[]): CallOutcome {
  if (secrets.length === 0) return outcome;
  const logs = { ...outcome.logs, stdout: maskSecretsIn(outcome.logs.stdout, secrets), stderr: maskSecretsIn(outcome.logs.stderr, secrets) };
  return outcome.ok ? { ...outcome, logs } : { ...outcome, logs, failure: { ...outcome.failure, message: maskSecretsIn(outcome.failure.message, secrets) } };
}
