import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { compileOnce } from './named-queries.js';

// Compiles only: kysely with a driver that never connects.
const db = new Kysely<unknown>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (kysely) => new PostgresIntrospector(kysely),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

describe('a statement compiled once', () => {
  it("puts each call's values in their slots, every place a slot is used, and keeps the fixed parameters", () => {
    const statement = compileOnce<{ id: string; at: string | null }, unknown>(db, ['id', 'at'], (v) => sql`select ${v.id}, ${'fixed'}, ${v.at}, ${v.id}`);
    const first = statement({ id: 'a', at: null });
    const second = statement({ id: 'b', at: '2026-12-02' });
    expect(first.sql).toBe('select $1, $2, $3, $4');
    expect(second.sql).toBe(first.sql);
    expect(first.parameters).toEqual(['a', 'fixed', null, 'a']);
    expect(second.parameters).toEqual(['b', 'fixed', '2026-12-02', 'b']);
  });

  it('refuses a statement that leaves a slot out (a value it would never send)', () => {
    expect(() => compileOnce<{ id: string; at: string }, unknown>(db, ['id', 'at'], (v) => sql`select ${v.id}`)).toThrow('does not use its slots at');
  });
});
