import type { JsonValue } from '@trellis/kernel/io';

export type { JsonValue } from '@trellis/kernel/io';

/*
 * A project's variables and secrets as the runner keeps them for its runs. Studio owns them and
 * announces every change with a revision that grows with each change of a name (deletions
 * included); events may arrive late, twice or out of order, so the highest revision wins, and
 * a deletion leaves a tombstone with its revision so that an older set cannot bring the name back.
 */

export type ValueKind = 'variable' | 'secret';

type ChangeOf<Kind extends ValueKind, Type extends string, Rest> = {
  readonly kind: Kind;
  readonly type: Type;
  readonly projectId: string;
  readonly name: string;
  readonly revision: bigint;
  /** When studio made the change. */
  readonly changedAt: Date;
} & Rest;

/** A secret's value as it travels and rests: sealed for the runner's key `keyId`, never in clear. */
export type SealedValue = { readonly sealed: Uint8Array; readonly keyId: string };

export type VariableSet = ChangeOf<'variable', 'set', { readonly value: JsonValue }>;
export type SecretSet = ChangeOf<'secret', 'set', SealedValue>;
export type ValueDeleted = ChangeOf<ValueKind, 'delete', object>;

/** One change studio announced. */
export type Change = VariableSet | SecretSet | ValueDeleted;

/** What the runner holds for one name of a project: the revision of the last change it applied. */
export type Held = { readonly revision: bigint; readonly deleted: boolean };

/**
 * `apply`: newer than what is held (or nothing is held); `same`: the revision already applied
 * (a redelivery); `stale`: older than what is held, so it would undo a newer change.
 */
export type Arrival = 'apply' | 'same' | 'stale';

/** The highest revision wins; a tombstone counts like a value. */
export function arrival(held: Held | undefined, change: Pick<Change, 'revision'>): Arrival {
  if (held === undefined || change.revision > held.revision) return 'apply';
  return change.revision === held.revision ? 'same' : 'stale';
}
