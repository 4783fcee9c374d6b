import { describe, expect, it } from 'vitest';
import { ok, rejected } from '@trellis/kernel/result';
import type { Schedule } from '../domain/schedule.js';
import type { Engine, StartRun } from './engine-port.js';
import { fireDueSchedules, type ScheduleStore } from './fire-schedules.js';

const now = new Date('2026-03-01T10:00:00.200Z');
const quiet = { info: () => undefined, warn: () => undefined };

const aSchedule = (fields: Partial<Schedule> = {}): Schedule => ({
  workflowId: 'w1', projectId: 'p1', version: 1, cron: '* * * * * *', timezone: 'UTC', missed: 'skip', catchUpLimit: 10,
  inputs: { region: '${{ vars.REGION }}' }, nextTickAt: new Date('2026-03-01T10:00:00Z'), lastTickAt: null, ...fields,
});

/** Schedules in memory, moved only from the next tick read (as the conditional update does). */
function makeStore(schedules: Schedule[]): ScheduleStore & { all: () => Schedule[] } {
  const held = new Map(schedules.map((schedule) => [schedule.workflowId, schedule]));
  return {
    all: () => [...held.values()],
    due: async (at) => [...held.values()].filter((schedule) => schedule.nextTickAt <= at),
    advance: async (workflowId, from, to) => {
      const current = held.get(workflowId);
      if (current?.nextTickAt.getTime() !== from.getTime()) return false;
      held.set(workflowId, { ...current, ...to });
      return true;
    },
    earliest: async () => undefined,
  };
}

/** Runs by idempotency key, one per key (the unique index's rule); `refuse` answers every start with a refusal. */
function makeEngine(refuse?: 'NotServing' | 'Overloaded'): Pick<Engine, 'start'> & { runs: Map<string, StartRun> } {
  const runs = new Map<string, StartRun>();
  return {
    runs,
    start: async (request) => {
      if (refuse) return rejected({ type: refuse });
      const key = request.idempotencyKey ?? '';
      const existing = runs.get(key);
      if (!existing) runs.set(key, request);
      return ok({ runId: (existing ?? request).runId ?? '', existing: existing !== undefined, finished: new Promise(() => undefined) });
    },
  };
}

const depsWith = (store: ScheduleStore, engine: Pick<Engine, 'start'>, variables: Record<string, string> = { REGION: 'eu-west' }) => ({
  store, engine, values: { variables: async () => variables }, clock: () => now, runIdOf: (workflowId: string, tick: Date) => `${workflowId}@${tick.toISOString()}`,
  log: quiet, misfireMs: 5_000,
});

describe('a pass of the scheduler', () => {
  it('starts the due tick with its own id and key, inputs rendered, and moves the schedule on', async () => {
    const store = makeStore([aSchedule()]);
    const engine = makeEngine();
    expect(await fireDueSchedules(depsWith(store, engine))).toEqual({ fired: 1, more: false, stopping: false });
    expect([...engine.runs.values()]).toEqual([expect.objectContaining({
      workflowId: 'w1', triggerType: 'schedule', triggerOutputs: { region: 'eu-west' }, idempotencyKey: 'schedule:2026-03-01T10:00:00.000Z', runId: 'w1@2026-03-01T10:00:00.000Z',
    })]);
    expect(store.all()[0]).toMatchObject({ nextTickAt: new Date('2026-03-01T10:00:01Z'), lastTickAt: new Date('2026-03-01T10:00:00Z') });
  });

  it('a tick fired already (another process, or before a crash) makes no second run and moves on', async () => {
    const store = makeStore([aSchedule()]);
    const engine = makeEngine();
    await fireDueSchedules(depsWith(makeStore([aSchedule()]), engine));
    await fireDueSchedules(depsWith(store, engine));
    expect(engine.runs.size).toBe(1);
    expect(store.all()[0]?.nextTickAt).toEqual(new Date('2026-03-01T10:00:01Z'));
  });

  it.each(['NotServing', 'Overloaded'] as const)('a start refused (%s) leaves the schedule where it was, to fire again', async (refusal) => {
    const store = makeStore([aSchedule()]);
    const pass = await fireDueSchedules(depsWith(store, makeEngine(refusal)));
    expect(pass.stopping).toBe(refusal === 'Overloaded');
    expect(store.all()[0]?.nextTickAt).toEqual(new Date('2026-03-01T10:00:00Z'));
  });

  it('inputs that cannot be given (a variable missing) start no run, and the schedule moves on', async () => {
    const store = makeStore([aSchedule()]);
    const engine = makeEngine();
    expect(await fireDueSchedules(depsWith(store, engine, {}))).toMatchObject({ fired: 0 });
    expect(engine.runs.size).toBe(0);
    expect(store.all()[0]).toMatchObject({ nextTickAt: new Date('2026-03-01T10:00:01Z'), lastTickAt: null });
  });

  it('a schedule not due yet is left alone', async () => {
    const store = makeStore([aSchedule({ nextTickAt: new Date('2026-03-01T10:00:01Z') })]);
    const engine = makeEngine();
    expect(await fireDueSchedules(depsWith(store, engine))).toMatchObject({ fired: 0 });
    expect(engine.runs.size).toBe(0);
  });
});
