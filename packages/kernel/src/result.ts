/** Expected outcomes of a business rule: a value, or a rejection that says why. */
export type Result<T, E> = Ok<T> | Rejected<E>;
export type Ok<T> = { readonly ok: true; readonly value: T };
export type Rejected<E> = { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });
export const rejected = <E>(error: E): Rejected<E> => ({ ok: false, error });

/** Is `outcome` a rejected result? (A unit of work rolls those back.) */
export function isRejection(outcome: unknown): outcome is Rejected<unknown> {
  return typeof outcome === 'object' && outcome !== null && (outcome as { ok?: unknown }).ok === false && 'error' in outcome;
}
