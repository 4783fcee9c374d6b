import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { CreateOutcome, NewRun } from '../src/application/run-store.js';
import { unnamedOn, type NamedQueries } from '../src/infrastructure/postgres/named-queries.js';
import { makeRunStore } from '../src/infrastructure/postgres/run-store.js';
import { startRunnerProcess } from '../src/infrastructure/runner-process.js';
import { aChain, LEASE_MS, useEngineRunner } from './engine-support.js';

const { db, build, knownProject, deploy, runner } = useEngineRunner();

describe("a run's creation", () => {
  let projectId = '';
  let workflowId = '';
  beforeAll(async () => {
    const actions = await build(['examples/actions/add-one']);
    projectId = await knownProject();
    workflowId = await deploy(projectId, aChain('creations', 1), actions);
  });

  const aRun = (fields: Partial<NewRun> = {}): NewRun => ({
    id: randomUUID(), projectId, workflowId, version: 1, triggerType: 'http', triggerOutputs: { n: 1, a: 'kept in its order' }, at: new Date(),
    steps: [{ step: 's0', status: 'running', attempt: 1, inputs: { n: 1 }, outputs: null, error: null, startedAt: new Date(), finishedAt: null, retryAt: null }],
    attempts: [{ step: 's0', attempt: 1, status: 'running', error: null, logs: null, startedAt: new Date(), finishedAt: null }],
    ...fields,
  });

  it('writes runs started together in one statement: one run per idempotency key, the others told which, a workflow that does not serve refused', async () => {
    let statements = 0;
    const counting: NamedQueries = (name, query) => {
      if (name === 'runner_create_runs') statements += 1;
      return unnamedOn(db() as never)(name, query);
    };
    // The store's process is alive (it heartbeats): the runner's takeover leaves its runs alone while the test reads them.
    const processId = randomUUID();
    const alive = await startRunnerProcess(db(), { id: processId, heartbeatMs: 250, logger: runner().runtime.logger });
    onTestFinished(() => alive.stop());
    const store = makeRunStore(db(), { processId, leaseMs: LEASE_MS, named: counting });
    const keys = ['k1', 'k2', 'k3', 'k4'].map((key) => `${key}-${randomUUID()}`);
    const keyed = keys.flatMap((key) => [0, 1, 2].map(() => aRun({ idempotencyKey: key })));
    const plain = [aRun(), aRun()];
    const elsewhere = [aRun({ workflowId: randomUUID() }), aRun({ version: 2 })];
    const outcomes = await Promise.all([...keyed, ...plain, ...elsewhere].map((run) => store.create(run)));

    // The first went alone (nothing was being written); the 15 others waited for it and went together.
    expect(statements).toBe(2);
    const keyedOutcomes = outcomes.slice(0, keyed.length);
    for (const [k, key] of keys.entries()) {
      const mine = keyedOutcomes.slice(k * 3, k * 3 + 3);
      const created = mine.flatMap((outcome, i): string[] => (outcome.type === 'created' ? [keyed[k * 3 + i]?.id as string] : []));
      expect(created, key).toHaveLength(1);
      for (const outcome of mine.filter((o) => o.type !== 'created')) expect(outcome, key).toEqual({ type: 'existing', runId: created[0] });
      const rows = await db().selectFrom('runs').select('id').where('idempotency_key', '=', key).execute();
      expect(rows.map((row) => row.id), key).toEqual(created);
    }
    expect(outcomes.slice(keyed.length, keyed.length + 2)).toEqual([{ type: 'created', epoch: 1 }, { type: 'created', epoch: 1 }] satisfies CreateOutcome[]);
    expect(outcomes.slice(keyed.length + 2)).toEqual([{ type: 'not_serving' }, { type: 'not_serving' }]);

    // Each created run has its first rows, and its trigger outputs as given (their key order kept).
    const run = await db().selectFrom('runs').select(['status', 'owner_epoch']).select((eb) => eb.cast<string>('trigger_outputs', 'text').as('outputs')).where('id', '=', plain[0]?.id as string).executeTakeFirstOrThrow();
    expect(run).toEqual({ status: 'running', owner_epoch: 1, outputs: '{"n":1,"a":"kept in its order"}' });
    const steps = await db().selectFrom('step_runs').select(['step_id', 'status', 'attempt']).where('run_id', '=', plain[1]?.id as string).execute();
    expect(steps).toEqual([{ step_id: 's0', status: 'running', attempt: 1 }]);
    const attempts = await db().selectFrom('step_attempts').select(['step_id', 'status']).where('run_id', '=', plain[1]?.id as string).execute();
    expect(attempts).toEqual([{ step_id: 's0', status: 'running' }]);
    expect(await db().selectFrom('runs').select('id').where('id', 'in', elsewhere.map((r) => r.id)).execute()).toEqual([]);
  });
});
