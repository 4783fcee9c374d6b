import type { CompiledQuery, Kysely } from 'kysely';

/**
 * Runs a compiled statement under a name (DESIGN 8.3: named prepared statements on the hot
 * path). Postgres parses and plans a named statement once per connection (after five runs it
 * keeps a generic plan), where an unnamed one is parsed and planned at every call: most of the
 * cost of a short statement. A name stands for one text: the statement's parameters vary, never
 * its SQL.
 */
export type NamedQueries = <R>(name: string, query: CompiledQuery<R>) => Promise<R[]>;

/** What pg's pool offers for a named statement (prepared once per connection, again on a new one). */
export type NamingPool = { query: (config: { name: string; text: string; values: unknown[] }) => Promise<{ rows: unknown[] }> };

export function namedOn(pool: NamingPool): NamedQueries {
  return async <R>(name: string, query: CompiledQuery<R>) => (await pool.query({ name, text: query.sql, values: [...query.parameters] })).rows as R[];
}

/** The same statements unnamed, through kysely (a store given only `db`). */
export function unnamedOn(db: Kysely<unknown>): NamedQueries {
  return async <R>(_name: string, query: CompiledQuery<R>) => (await db.executeQuery(query)).rows;
}
