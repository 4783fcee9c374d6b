/** Expected outcomes of a business rule: a value, or a rejection that says why. */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): { readonly ok: true; readonly value: T } => ({ ok: true, value });
export const rejected = <E>(error: E): { readonly ok: false; readonly error: E } => ({ ok: false, error });
