// The variables', secrets' and revisions' ports keep the same rules on the fakes and on
// Postgres, so application tests on the fakes say something true.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@trellis/platform/testing/postgres';
import { eventually } from '@trellis/platform/testing/eventually';
import { makeFakes } from '../src/application/fakes.js';
import type { Transaction } from '../src/application/ports.js';
import type { Secret, Variable } from '../src/domain/project-values.js';
import { migrations } from '../src/infrastructure/postgres/migrations.js';
import type { Database } from '../src/infrastructure/postgres/schema.js';
import { makeUnitOfWork } from '../src/infrastructure/postgres/unit-of-work.js';

let database: TestDatabase<Database>;
const projectA = randomUUID();
const projectB = randomUUID();
beforeAll(async () => {
  database = await createTestDatabase<Database>({ service: 'studio', migrations });
  await database.db.insertInto('projects').values([{ id: projectA, name: 'a', created_at: new Date() }, { id: projectB, name: 'b', created_at: new Date() }]).execute();
});
afterAll(() => database?.close());

const adapters: Array<[string, (work: (tx: Transaction) => Promise<void>) => Promise<void>]> = [
  ['the fakes', async (work) => {
    const fakes = makeFakes({ projects: { [projectA]: 'known', [projectB]: 'known' } });
    await work(fakes.bind(fakes.state()));
  }],
  ['Postgres', async (work) => {
    await makeUnitOfWork(database.db)(async (tx) => {
      await work(tx);
      return { ok: false, error: 'roll back what the test wrote' } as const;
    });
  }],
];

const at = new Date('2026-11-01T10:00:00.000Z');
const aVariable = (overrides: Partial<Variable> = {}): Variable => ({ projectId: projectA, name: 'CONFIG', value: { a: [1, 'two', true, null] }, revision: 1, updatedAt: at, updatedBy: 'u1', ...overrides });
const aSecret = (overrides: Partial<Secret> = {}): Secret => ({ projectId: projectA, name: 'TOKEN', revision: 1, updatedAt: at, updatedBy: 'u1', ...overrides });

describe.each(adapters)('the project values\' ports on %s', (_name, withTx) => {
  it('save a variable, find it as saved, replace it, list the project\'s by name, and delete exactly it', async () => {
    await withTx(async (tx) => {
      expect(await tx.variables.find(projectA, 'CONFIG')).toBeUndefined();
      await tx.variables.save(aVariable());
      expect(await tx.variables.find(projectA, 'CONFIG')).toEqual(aVariable());
      await tx.variables.save(aVariable({ value: 'replaced', revision: 2, updatedBy: 'u2' }));
      expect(await tx.variables.find(projectA, 'CONFIG')).toEqual(aVariable({ value: 'replaced', revision: 2, updatedBy: 'u2' }));
      await tx.variables.save(aVariable({ name: 'A_FIRST', value: 0 }));
      await tx.variables.save(aVariable({ name: 'a_lower', value: false }));
      await tx.variables.save(aVariable({ projectId: projectB, name: 'OTHER', value: 'b' }));
      // Byte order: upper case before "_" before lower case.
      expect(await tx.variables.all(projectA)).toEqual([{ name: 'A_FIRST', value: 0 }, { name: 'CONFIG', value: 'replaced' }, { name: 'a_lower', value: false }]);
      expect(await tx.variables.find(projectB, 'CONFIG')).toBeUndefined();
      expect(await tx.variables.delete(projectB, 'CONFIG')).toBe(false);
      expect(await tx.variables.delete(projectA, 'CONFIG')).toBe(true);
      expect(await tx.variables.delete(projectA, 'CONFIG')).toBe(false);
      expect((await tx.variables.all(projectA)).map((v) => v.name)).toEqual(['A_FIRST', 'a_lower']);
      expect(await tx.variables.all(projectB)).toEqual([{ name: 'OTHER', value: 'b' }]);
    });
  });

  it('save a secret with its sealed value, find only its metadata, list names, and delete exactly it', async () => {
    await withTx(async (tx) => {
      await tx.secrets.save(aSecret(), 'sealed-one');
      const found = await tx.secrets.find(projectA, 'TOKEN');
      expect(found).toEqual(aSecret());
      expect(JSON.stringify(found)).not.toContain('sealed-one');
      await tx.secrets.save(aSecret({ revision: 5 }), 'sealed-two');
      expect(await tx.secrets.find(projectA, 'TOKEN')).toEqual(aSecret({ revision: 5 }));
      await tx.secrets.save(aSecret({ name: 'API_KEY' }), 'sealed');
      await tx.secrets.save(aSecret({ projectId: projectB, name: 'B_ONLY' }), 'sealed');
      expect(await tx.secrets.names(projectA)).toEqual(['API_KEY', 'TOKEN']);
      expect(await tx.secrets.delete(projectB, 'TOKEN')).toBe(false);
      expect(await tx.secrets.delete(projectA, 'TOKEN')).toBe(true);
      expect(await tx.secrets.find(projectA, 'TOKEN')).toBeUndefined();
      expect(await tx.secrets.names(projectA)).toEqual(['API_KEY']);
      expect(await tx.secrets.names(projectB)).toEqual(['B_ONLY']);
    });
  });

  it('give revisions that grow with every change, whatever the name or project', async () => {
    await withTx(async (tx) => {
      const taken = [await tx.revisions.next(projectA, 'X'), await tx.revisions.next(projectA, 'X'), await tx.revisions.next(projectB, 'Y'), await tx.revisions.next(projectA, 'Z')];
      expect(taken.every((revision, i) => i === 0 || revision > (taken[i - 1] ?? Infinity))).toBe(true);
    });
  });
});

describe('revisions on Postgres', () => {
  it('serialize the changes of one name: a second change waits until the first commits, and gets the higher revision', async () => {
    const uow = makeUnitOfWork(database.db);
    let release = () => {};
    const held = new Promise<void>((resolve) => { release = resolve; });
    let first = 0;
    const one = uow(async (tx) => {
      first = await tx.revisions.next(projectA, 'RACE');
      await held;
      return first;
    });
    await eventually(async () => first, (revision) => revision > 0);
    const two = uow((tx) => tx.revisions.next(projectA, 'RACE'));
    // The second transaction waits on the first's lock (seen from the database, not guessed with a timer).
    await eventually(
      async () => (await sql<{ waiting: number }>`select count(*)::int as waiting from pg_locks where locktype = 'advisory' and not granted`.execute(database.db)).rows[0]?.waiting,
      (waiting) => waiting === 1,
    );
    // Another name is not held up.
    expect(await uow((tx) => tx.revisions.next(projectA, 'OTHER'))).toBeGreaterThan(first);
    release();
    expect(await one).toBe(first);
    expect(await two).toBeGreaterThan(first);
  });
});

describe('a project\'s values on Postgres', () => {
  it('go with their project', async () => {
    const doomed = randomUUID();
    await database.db.insertInto('projects').values({ id: doomed, name: 'doomed', created_at: new Date() }).execute();
    await makeUnitOfWork(database.db)(async (tx) => {
      await tx.variables.save(aVariable({ projectId: doomed }));
      await tx.secrets.save(aSecret({ projectId: doomed }), 'sealed');
    });
    await database.db.deleteFrom('projects').where('id', '=', doomed).execute();
    expect(await database.db.selectFrom('project_variables').select('name').where('project_id', '=', doomed).execute()).toEqual([]);
    expect(await database.db.selectFrom('project_secrets').select('name').where('project_id', '=', doomed).execute()).toEqual([]);
  });

  it('keep only names a reference can use, even written around the domain', async () => {
    await expect(database.db.insertInto('project_variables')
      .values({ project_id: projectA, name: 'bad-name', value: '1', revision: 1, updated_at: at, updated_by: 'u' }).execute()).rejects.toThrow(/check/);
  });
});
