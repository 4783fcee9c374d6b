// The platform's unit of work on a real database: a rejection rolls back unless the use case
// asks to keep it, a thrown error always rolls back, a success commits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely, Transaction } from 'kysely';
import { ok, rejected } from '@trellis/kernel/result';
import { makeUnitOfWork, makeUnitOfWorkIn } from '@trellis/platform/postgres/unit-of-work';
import { createTestDatabase, type TestDatabase } from '@trellis/platform/testing/postgres';
import { makeInMemoryUnitOfWork } from '@trellis/platform/testing/unit-of-work';
import { migrations, type Schema } from './fixtures.js';

let database: TestDatabase<Schema>;
beforeAll(async () => {
  database = await createTestDatabase<Schema>({ service: 'platform', migrations });
});
afterAll(() => database?.close());

const writes = (trx: Transaction<Schema>) => ({
  note: async (key: string) => {
    await trx.insertInto('applied').values({ key, times: 1 }).execute();
  },
});
const noted = async (db: Kysely<Schema>, key: string) => (await db.selectFrom('applied').select('key').where('key', '=', key).execute()).length === 1;

describe('makeUnitOfWork', () => {
  it('commits what a successful use case wrote', async () => {
    const uow = makeUnitOfWork(database.db, writes);
    expect(await uow(async (tx) => { await tx.note('success'); return ok(1); })).toEqual(ok(1));
    expect(await noted(database.db, 'success')).toBe(true);
  });

  it('rolls back what a rejected use case wrote, and returns the rejection', async () => {
    const uow = makeUnitOfWork(database.db, writes);
    expect(await uow(async (tx) => { await tx.note('rejected'); return rejected({ type: 'Nope' }); })).toEqual(rejected({ type: 'Nope' }));
    expect(await noted(database.db, 'rejected')).toBe(false);
  });

  it('keeps a rejection\'s writes when the use case says so', async () => {
    const uow = makeUnitOfWork(database.db, writes);
    await uow(async (tx) => { await tx.note('kept'); return rejected({ type: 'Throttled' }); }, { keepOnRejection: true });
    expect(await noted(database.db, 'kept')).toBe(true);
  });

  it('rolls back and rethrows a failure of the world', async () => {
    const uow = makeUnitOfWork(database.db, writes);
    await expect(uow(async (tx) => { await tx.note('thrown'); throw new Error('disk on fire'); })).rejects.toThrow('disk on fire');
    expect(await noted(database.db, 'thrown')).toBe(false);
  });
});

describe('makeUnitOfWorkIn (inside a message handler\'s transaction)', () => {
  it('keeps the owner\'s writes and a success\'s, drops a rejection\'s, and a throw\'s when the owner goes on', async () => {
    await database.db.transaction().execute(async (trx) => {
      await writes(trx).note('owner');
      const uow = makeUnitOfWorkIn(trx, writes);
      await uow(async (tx) => { await tx.note('inner-success'); return ok(undefined); });
      await uow(async (tx) => { await tx.note('inner-rejected'); return rejected('no'); });
      await uow(async (tx) => { await tx.note('inner-kept'); return rejected('no'); }, { keepOnRejection: true });
      await expect(uow(async (tx) => { await tx.note('inner-thrown'); throw new Error('boom'); })).rejects.toThrow('boom');
    });
    const kept = await Promise.all(['owner', 'inner-success', 'inner-rejected', 'inner-kept', 'inner-thrown'].map((key) => noted(database.db, key)));
    expect(kept).toEqual([true, true, false, true, false]);
  });
});

describe('makeInMemoryUnitOfWork (for application fakes) keeps the same rules', () => {
  it('commits a success, drops a rejection unless kept, and drops a throw', async () => {
    let state = { notes: [] as string[] };
    const uow = makeInMemoryUnitOfWork({ get: () => state, set: (next) => { state = next; } }, (draft) => ({ note: async (key: string) => void draft.notes.push(key) }));
    await uow(async (tx) => { await tx.note('success'); return ok(undefined); });
    await uow(async (tx) => { await tx.note('rejected'); return rejected('no'); });
    await uow(async (tx) => { await tx.note('kept'); return rejected('no'); }, { keepOnRejection: true });
    await expect(uow(async (tx) => { await tx.note('thrown'); throw new Error('boom'); })).rejects.toThrow('boom');
    expect(state.notes).toEqual(['success', 'kept']);
  });
});
