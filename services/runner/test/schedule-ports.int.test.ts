// The schedules port keeps the same rules on the fakes and on Postgres (so the application tests on
// the fakes say something true), and the scheduler's store moves a schedule only from the tick it read.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@trellis/platform/testing/postgres';
import { makeFakes } from '../src/application/fakes.js';
import type { Transaction } from '../src/application/ports.js';
import type { Schedule } from '../src/domain/schedule.js';
import { migrations } from '../src/infrastructure/postgres/migrations.js';
import { makeScheduleStore } from '../src/infrastructure/postgres/schedule-repository.js';
import type { Database } from '../src/infrastructure/postgres/schema.js';
import { makeUnitOfWork } from '../src/infrastructure/postgres/unit-of-work.js';

let database: TestDatabase<Database>;
const p1 = randomUUID();
beforeAll(async () => {
  database = await createTestDatabase<Database>({ service: 'runner', migrations });
  await database.db.insertInto('projects').values({ id: p1, name: p1, created_at: new Date() }).execute();
});
afterAll(() => database?.close());

const aSchedule = (fields: Partial<Schedule> = {}): Schedule => ({
  workflowId: randomUUID(), projectId: p1, version: 1, cron: '*/5 * * * *', timezone: 'Europe/Paris', missed: 'catch_up', catchUpLimit: 3,
  inputs: { n: 1, region: '${{ vars.REGION }}', nested: { list: [1, 'two'] } }, nextTickAt: new Date('2026-12-01T10:05:00Z'), lastTickAt: null, ...fields,
});

const writers: Array<[string, (work: (tx: Transaction) => Promise<void>) => Promise<void>]> = [
  ['the fakes', async (work) => {
    const fakes = makeFakes({ projects: { [p1]: 'known' } });
    await work(fakes.bind(fakes.state()));
  }],
  ['Postgres', async (work) => {
    await makeUnitOfWork(database.db)(async (tx) => {
      await work(tx);
      return { ok: false, error: 'roll back what the test wrote' } as const;
    });
  }],
];

describe.each(writers)('the schedules port on %s', (_name, withTx) => {
  it('keeps a schedule as saved, replaces it, removes it (removing none is no error)', async () => {
    await withTx(async (tx) => {
      const schedule = aSchedule();
      expect(await tx.schedules.find(schedule.workflowId)).toBeUndefined();
      await tx.schedules.save(schedule);
      expect(await tx.schedules.find(schedule.workflowId)).toEqual(schedule);
      const moved = { ...schedule, version: 2, missed: 'skip' as const, nextTickAt: new Date('2026-12-01T10:10:00Z'), lastTickAt: new Date('2026-12-01T10:05:00Z') };
      await tx.schedules.save(moved);
      expect(await tx.schedules.find(schedule.workflowId)).toEqual(moved);
      await tx.schedules.remove(schedule.workflowId);
      expect(await tx.schedules.find(schedule.workflowId)).toBeUndefined();
      await tx.schedules.remove(schedule.workflowId);
    });
  });
});

describe('the scheduler\'s store on Postgres', () => {
  it('reads the due schedules, the most overdue first, and moves one only from the tick it read', async () => {
    const store = makeScheduleStore(database.db);
    const early = aSchedule({ nextTickAt: new Date('2026-12-01T10:00:00Z') });
    const later = aSchedule({ nextTickAt: new Date('2026-12-01T10:05:00Z') });
    const future = aSchedule({ nextTickAt: new Date('2026-12-01T11:00:00Z') });
    await makeUnitOfWork(database.db)(async (tx) => {
      for (const schedule of [later, future, early]) await tx.schedules.save(schedule);
      return { ok: true, value: undefined } as const;
    });
    const now = new Date('2026-12-01T10:30:00Z');
    expect((await store.due(now, 10)).map((schedule) => schedule.workflowId)).toEqual([early.workflowId, later.workflowId]);
    expect(await store.earliest()).toEqual(early.nextTickAt);

    const to = { nextTickAt: new Date('2026-12-01T10:35:00Z'), lastTickAt: new Date('2026-12-01T10:30:00Z') };
    expect(await store.advance(early.workflowId, early.nextTickAt, to)).toBe(true);
    // A second process that read the same tick moves nothing.
    expect(await store.advance(early.workflowId, early.nextTickAt, { nextTickAt: new Date('2026-12-01T10:40:00Z'), lastTickAt: null })).toBe(false);
    expect((await store.due(new Date('2026-12-01T10:36:00Z'), 10)).find((schedule) => schedule.workflowId === early.workflowId)).toMatchObject(to);
  });
});
