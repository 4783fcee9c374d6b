// The library ports keep the same rules on the fakes and on Postgres, so application tests on
// the fakes say something true.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@trellis/platform/testing/postgres';
import { aLibraryAction, makeFakes } from '../src/application/fakes.js';
import type { Transaction } from '../src/application/ports.js';
import { migrations } from '../src/infrastructure/postgres/migrations.js';
import type { Database } from '../src/infrastructure/postgres/schema.js';
import { makeUnitOfWork } from '../src/infrastructure/postgres/unit-of-work.js';

let database: TestDatabase<Database>;
const known = randomUUID();
const deleted = randomUUID();
beforeAll(async () => {
  database = await createTestDatabase<Database>({ service: 'studio', migrations });
  await database.db.insertInto('projects').values({ id: known, name: 'known', created_at: new Date() }).execute();
  await database.db.insertInto('deleted_projects').values({ id: deleted, deleted_at: new Date() }).execute();
});
afterAll(() => database?.close());

const adapters: Array<[string, (work: (tx: Transaction) => Promise<void>) => Promise<void>]> = [
  ['the fakes', async (work) => {
    const fakes = makeFakes({ projects: { [known]: 'known', [deleted]: 'deleted' } });
    await work(fakes.bind(fakes.state()));
  }],
  ['Postgres', async (work) => {
    await makeUnitOfWork(database.db)(async (tx) => {
      await work(tx);
      return { ok: false, error: 'roll back what the test wrote' } as const;
    });
  }],
];

describe.each(adapters)('the library ports on %s', (_name, withTx) => {
  it('tell a known, an unknown and a deleted project apart', async () => {
    await withTx(async (tx) => {
      expect(await Promise.all([known, randomUUID(), deleted].map((id) => tx.projects.statusOf(id)))).toEqual(['known', 'unknown', 'deleted']);
    });
  });

  it('save a version, find it as saved, replace it, and delete exactly it', async () => {
    await withTx(async (tx) => {
      const action = aLibraryAction({ projectId: known, origin: { sourceId: randomUUID(), commit: 'c', folder: 'f', buildId: randomUUID() }, logo: { bytes: new Uint8Array([1, 2, 3]), mediaType: 'image/png' } });
      expect(await tx.library.findForUpdate(known, 'add-one', '1.0.0')).toBeUndefined();
      await tx.library.save(action);
      expect(await tx.library.findForUpdate(known, 'add-one', '1.0.0')).toEqual(action);
      const rebuilt = { ...action, digest: 'b'.repeat(64), logo: null };
      await tx.library.save(rebuilt);
      expect(await tx.library.findForUpdate(known, 'add-one', '1.0.0')).toEqual(rebuilt);
      await tx.library.save({ ...action, version: '2.0.0' });
      expect(await tx.library.delete(known, 'add-one', '1.0.0')).toBe(true);
      expect(await tx.library.delete(known, 'add-one', '1.0.0')).toBe(false);
      expect(await tx.library.findForUpdate(known, 'add-one', '2.0.0')).toBeDefined();
    });
  });
});
