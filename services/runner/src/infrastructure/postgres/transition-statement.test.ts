import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Database } from './schema.js';
import { transitionStatement } from './run-store.js';

// Compiles only: kysely with a driver that never connects.
const db = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (kysely) => new PostgresIntrospector(kysely),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const owner = '6f1c1e8e-5a1b-4c55-9a51-2b8f0e3c9d10';

describe('the transition statement, compiled once per store', () => {
  it('gives each batch the same text with its own payload in the payload slot and the owner kept', () => {
    const statement = transitionStatement(db, owner);
    const first = statement('[{"i":0}]');
    const second = statement('[{"i":0},{"i":1}]');
    expect(second.sql).toBe(first.sql);
    expect(first.sql).toContain('jsonb_to_recordset($1::jsonb)');
    expect(first.parameters).toEqual(['[{"i":0}]', owner]);
    expect(second.parameters).toEqual(['[{"i":0},{"i":1}]', owner]);
  });
});
