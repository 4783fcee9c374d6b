import type { JsonValue } from '@trellis/kernel/io';
import { ok, rejected, type Result } from '@trellis/kernel/result';

export type { JsonValue };

/*
 * A project's variables and secrets: named values that workflows read at run time as
 * `${{ vars.NAME }}` and `${{ secrets.NAME }}`. A variable is plain data anyone in the project
 * may read; a secret is write-only (its value is never shown again, only its name and when it
 * changed). Every change of a name carries a revision that grows with each change of that name
 * (deletions included), so the runner keeps the newest whatever order the events arrive in.
 */

/** What `${{ vars.NAME }}` may name: a letter or `_`, then letters, digits or `_`; 64 at most. */
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const MAX_NAME_LENGTH = 64;
/** The largest variable (its JSON text) and the largest secret, in UTF-8 bytes. */
export const MAX_VALUE_BYTES = 64 * 1024;
/** Lists and objects nest at most this deep in a variable. */
export const MAX_VALUE_DEPTH = 32;

export type Variable = {
  readonly projectId: string;
  readonly name: string;
  readonly value: JsonValue;
  readonly revision: number;
  readonly updatedAt: Date;
  /** The user id (or API key id) that set it. */
  readonly updatedBy: string;
};

/** A secret as anyone sees it: its name and when it changed. The value lives sealed, apart. */
export type Secret = {
  readonly projectId: string;
  readonly name: string;
  readonly revision: number;
  readonly updatedAt: Date;
  readonly updatedBy: string;
};

export type ProjectVariableSet = {
  readonly type: 'ProjectVariableSet';
  readonly projectId: string;
  readonly name: string;
  /** The value as JSON text. */
  readonly valueJson: string;
  readonly revision: number;
  readonly occurredAt: Date;
};

export type ProjectVariableDeleted = {
  readonly type: 'ProjectVariableDeleted';
  readonly projectId: string;
  readonly name: string;
  readonly revision: number;
  readonly occurredAt: Date;
};

/** Carries the value sealed for the runner only (never in clear). */
export type ProjectSecretSet = {
  readonly type: 'ProjectSecretSet';
  readonly projectId: string;
  readonly name: string;
  readonly sealedValue: Uint8Array;
  /** Which runner key it was sealed for. */
  readonly keyId: string;
  readonly revision: number;
  readonly occurredAt: Date;
};

export type ProjectSecretDeleted = {
  readonly type: 'ProjectSecretDeleted';
  readonly projectId: string;
  readonly name: string;
  readonly revision: number;
  readonly occurredAt: Date;
};

export type ProjectValueEvent = ProjectVariableSet | ProjectVariableDeleted | ProjectSecretSet | ProjectSecretDeleted;

export type InvalidName = { readonly type: 'InvalidName'; readonly reason: string };
export type ValueTooLarge = { readonly type: 'ValueTooLarge'; readonly what: 'variable' | 'secret'; readonly limitBytes: number };
export type ValueTooDeep = { readonly type: 'ValueTooDeep'; readonly limit: number };
export type InvalidValue = { readonly type: 'InvalidValue'; readonly reason: string };

export type VariableRejection = InvalidName | ValueTooLarge | ValueTooDeep | InvalidValue;
export type SecretRejection = InvalidName | ValueTooLarge | InvalidValue;

/** Undefined when `name` may name a variable or a secret; otherwise why not. */
export function checkName(name: string): InvalidName | undefined {
  if (name.length === 0) return { type: 'InvalidName', reason: 'is empty' };
  if (name.length > MAX_NAME_LENGTH) return { type: 'InvalidName', reason: `is longer than ${MAX_NAME_LENGTH} characters` };
  if (!NAME_PATTERN.test(name)) {
    return { type: 'InvalidName', reason: 'must start with a letter or "_" and hold only letters, digits and "_" (it is referenced as ${{ vars.NAME }} or ${{ secrets.NAME }})' };
  }
  return undefined;
}

/** How deeply lists and objects nest in `value` (a scalar: 0), counted without recursion and no further than `limit + 1`. */
export function depthOf(value: JsonValue, limit = MAX_VALUE_DEPTH): number {
  let deepest = 0;
  const pending: Array<{ value: JsonValue; depth: number }> = [{ value, depth: 0 }];
  while (pending.length > 0) {
    const next = pending.pop();
    if (!next || next.value === null || typeof next.value !== 'object') continue;
    const depth = next.depth + 1;
    deepest = Math.max(deepest, depth);
    if (depth > limit) return deepest;
    for (const child of Array.isArray(next.value) ? next.value : Object.values(next.value)) pending.push({ value: child, depth });
  }
  return deepest;
}

const utf8Bytes = (text: string) => new TextEncoder().encode(text).byteLength;

/** The variable `name` holds `value` from `now` on, at `revision`; with the event that says so. */
export function setVariable(input: {
  projectId: string; name: string; value: JsonValue; revision: number; updatedBy: string; now: Date;
}): Result<{ variable: Variable; event: ProjectVariableSet }, VariableRejection> {
  const badName = checkName(input.name);
  if (badName) return rejected(badName);
  if (input.value === null) return rejected({ type: 'InvalidValue', reason: 'A variable holds a string, a number, a boolean, a list or an object, never null (delete it instead).' });
  if (depthOf(input.value) > MAX_VALUE_DEPTH) return rejected({ type: 'ValueTooDeep', limit: MAX_VALUE_DEPTH });
  const valueJson = JSON.stringify(input.value);
  if (utf8Bytes(valueJson) > MAX_VALUE_BYTES) return rejected({ type: 'ValueTooLarge', what: 'variable', limitBytes: MAX_VALUE_BYTES });
  const variable: Variable = { projectId: input.projectId, name: input.name, value: input.value, revision: input.revision, updatedAt: input.now, updatedBy: input.updatedBy };
  return ok({ variable, event: { type: 'ProjectVariableSet', projectId: input.projectId, name: input.name, valueJson, revision: input.revision, occurredAt: input.now } });
}

/** Checks a secret's new value (its sealing is the use case's): a non-empty string of at most MAX_VALUE_BYTES. */
export function setSecret(input: {
  projectId: string; name: string; value: string; revision: number; updatedBy: string; now: Date;
}): Result<Secret, SecretRejection> {
  const badName = checkName(input.name);
  if (badName) return rejected(badName);
  if (input.value.length === 0) return rejected({ type: 'InvalidValue', reason: 'A secret cannot be empty.' });
  if (utf8Bytes(input.value) > MAX_VALUE_BYTES) return rejected({ type: 'ValueTooLarge', what: 'secret', limitBytes: MAX_VALUE_BYTES });
  return ok({ projectId: input.projectId, name: input.name, revision: input.revision, updatedAt: input.now, updatedBy: input.updatedBy });
}

/** The event of a secret set, once its value is sealed for the runner. */
export function secretSet(secret: Secret, sealed: { sealedValue: Uint8Array; keyId: string }): ProjectSecretSet {
  return { type: 'ProjectSecretSet', projectId: secret.projectId, name: secret.name, sealedValue: sealed.sealedValue, keyId: sealed.keyId, revision: secret.revision, occurredAt: secret.updatedAt };
}

export function variableDeleted(projectId: string, name: string, revision: number, now: Date): ProjectVariableDeleted {
  return { type: 'ProjectVariableDeleted', projectId, name, revision, occurredAt: now };
}

export function secretDeleted(projectId: string, name: string, revision: number, now: Date): ProjectSecretDeleted {
  return { type: 'ProjectSecretDeleted', projectId, name, revision, occurredAt: now };
}

