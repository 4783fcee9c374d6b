import type { CompiledQuery, Kysely, RawBuilder } from 'kysely';

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

/** Marks a slot's place among a statement's parameters (no value a statement is given starts with a NUL). */
const SLOT = '\u0000slot:';

/**
 * A statement built and compiled by kysely once: `build` writes it over named slots (each
 * `${slots.name}` placed as a parameter as it is, never computed with), and each call gives the
 * compiled statement with that call's values in the slots' places. Kysely walks a statement's
 * tree at every `.compile()`: on the hot path (a statement per step) that was CPU spent for a
 * text that never changes.
 */
export function compileOnce<V extends Record<string, unknown>, R>(
  db: Kysely<unknown>, names: readonly (keyof V & string)[], build: (slots: Readonly<Record<keyof V, string>>) => RawBuilder<R>,
): (values: V) => CompiledQuery<R> {
  const slots = Object.fromEntries(names.map((name) => [name, `${SLOT}${name}`])) as Record<keyof V, string>;
  const compiled = build(slots).compile(db);
  const slotOf = compiled.parameters.map((value) => (typeof value === 'string' && value.startsWith(SLOT) ? (value.slice(SLOT.length) as keyof V) : undefined));
  const unused = names.filter((name) => !slotOf.includes(name));
  if (unused.length > 0) throw new Error(`the statement does not use its slots ${unused.join(', ')}`);
  return (values) => ({ ...compiled, parameters: slotOf.map((name, i) => (name === undefined ? compiled.parameters[i] : values[name])) });
}
