import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { ScheduleRepository } from '../../application/ports.js';
import type { ScheduleStore } from '../../application/fire-schedules.js';
import type { JsonValue } from '@trellis/kernel/io';
import type { Schedule } from '../../domain/schedule.js';
import type { Database, SchedulesTable } from './schema.js';

/** Sent when a schedule is saved or removed (delivered at commit): the scheduler of every runner process looks again. */
export const SCHEDULES_CHANNEL = 'trellis_schedules';

function toRow(schedule: Schedule) {
  return {
    workflow_id: schedule.workflowId, project_id: schedule.projectId, version: schedule.version, cron: schedule.cron, timezone: schedule.timezone,
    missed: schedule.missed, catch_up_limit: schedule.catchUpLimit, inputs: JSON.stringify(schedule.inputs),
    next_tick_at: schedule.nextTickAt, last_tick_at: schedule.lastTickAt,
  };
}

function fromRow(row: Selectable<SchedulesTable>): Schedule {
  return {
    workflowId: row.workflow_id, projectId: row.project_id, version: row.version, cron: row.cron, timezone: row.timezone,
    missed: row.missed, catchUpLimit: row.catch_up_limit, inputs: row.inputs as Record<string, JsonValue>,
    nextTickAt: row.next_tick_at, lastTickAt: row.last_tick_at,
  };
}

/** The schedules as deployments keep them, in the caller's transaction. */
export function makeScheduleRepository(trx: Transaction<Database>): ScheduleRepository {
  const notify = async (workflowId: string) => { await sql`select pg_notify(${SCHEDULES_CHANNEL}, ${workflowId})`.execute(trx); };
  return {
    find: async (workflowId) => {
      const row = await trx.selectFrom('schedules').selectAll().where('workflow_id', '=', workflowId).forUpdate().executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },
    save: async (schedule) => {
      const row = toRow(schedule);
      await trx.insertInto('schedules').values(row).onConflict((c) => c.column('workflow_id').doUpdateSet(row)).execute();
      await notify(schedule.workflowId);
    },
    remove: async (workflowId) => {
      const removed = await trx.deleteFrom('schedules').where('workflow_id', '=', workflowId).executeTakeFirst();
      if (removed.numDeletedRows > 0n) await notify(workflowId);
    },
  };
}

/** The schedules as the scheduler reads and moves them, each statement on its own (no lock held while runs start). */
export function makeScheduleStore(db: Kysely<Database>): ScheduleStore {
  return {
    due: async (now, limit) => (await db.selectFrom('schedules').selectAll().where('next_tick_at', '<=', now)
      .orderBy('next_tick_at').limit(limit).execute()).map(fromRow),
    advance: async (workflowId, from, to) => {
      const moved = await db.updateTable('schedules').set({ next_tick_at: to.nextTickAt, last_tick_at: to.lastTickAt })
        .where('workflow_id', '=', workflowId).where('next_tick_at', '=', from).executeTakeFirst();
      return moved.numUpdatedRows > 0n;
    },
    earliest: async () => (await db.selectFrom('schedules').select((eb) => eb.fn.min('next_tick_at').as('next')).executeTakeFirst())?.next ?? undefined,
  };
}
