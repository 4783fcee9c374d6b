/**
 * Keyset pagination, as use cases and queries see it. `after` is the sort key of the last item
 * of the previous page (decoded from the opaque cursor at the HTTP edge); `more` says whether
 * another page follows.
 */
export type PageRequest<Key> = { readonly limit: number; readonly after?: Key | undefined };
export type Page<T> = { readonly items: readonly T[]; readonly more: boolean };

/** A query asks for `limit + 1` rows; this cuts the extra one off and says whether it was there. */
export function pageOf<T>(rows: readonly T[], limit: number): Page<T> {
  return { items: rows.slice(0, limit), more: rows.length > limit };
}
