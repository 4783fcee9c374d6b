import { describe, expect, it } from 'vitest';
import { ok, rejected } from '@trellis/kernel/result';
import type { JsonValue } from '@trellis/kernel/io';
import type { PinnedAction } from '../domain/deployment.js';
import { sameCursorScope, type TriggerCursorScope } from '../domain/trigger-cursor.js';
import type { StartRun } from './engine-port.js';
import { makeTriggerListeners, type ServedTrigger } from './trigger-listeners.js';
import type { ListenHandlers, TriggerSite } from './trigger-site.js';

const ticker: PinnedAction = {
  actionId: 'ticker', version: '1.0.0', digest: 'd', artifactObject: 'o', artifactSize: 1, kind: 'Trigger', runtime: 'nodejs', format: 'trellis',
  inputs: [{ name: 'every', type: 'integer', help: '', optional: true }], outputs: [{ name: 'n', type: 'integer', help: '', optional: false }], resources: {},
};
const tickerTwo: PinnedAction = { ...ticker, version: '2.0.0' };
const served = (workflowId: string, version = 1, trigger: { action?: string; inputs?: Record<string, unknown> } = {}): ServedTrigger => ({
  projectId: 'p', workflowId, version, actions: [ticker, tickerTwo], site: 'local',
  documentJson: JSON.stringify({
    apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'w', trigger: { type: 'action', action: trigger.action ?? 'ticker@1.0.0', inputs: trigger.inputs ?? {} },
    steps: [{ id: 'a', action: 'x@1' }],
  }),
});

/** The runs trigger events started, newest last, each with the cursor scope of the version it was started under (an in-memory `runs`). */
const earlierEvents: { workflowId: string; scope: TriggerCursorScope; outputs: Record<string, JsonValue> }[] = [
  { workflowId: 'w1', scope: { actionId: 'ticker', inputs: {} }, outputs: { n: 40 } },
  { workflowId: 'w1', scope: { actionId: 'ticker', inputs: { every: 5 } }, outputs: { n: 7 } },
  { workflowId: 'w1', scope: { actionId: 'ticker', inputs: {} }, outputs: { n: 41 } },
  { workflowId: 'w3', scope: { actionId: 'ticker', inputs: {} }, outputs: { n: 99 } },
];

/** A site whose listens the test drives: each open listen's handlers, ended on cue. */
function aScriptedSite() {
  const open: { workflow: string; handlers: ListenHandlers; lastEvent: unknown; end: (message: string) => void; signal: AbortSignal }[] = [];
  const site: TriggerSite = {
    listen: (_action, request, handlers, signal) => new Promise((resolve) => {
      const entry = { workflow: request.listenId.split(':')[0] as string, handlers, lastEvent: request.lastEvent, signal, end: (message: string) => resolve({ kind: 'ended', message }) };
      open.push(entry);
      handlers.onListening(open.length);
      signal.addEventListener('abort', () => resolve({ kind: 'stopped' }), { once: true });
    }),
  };
  return { site, open, live: () => open.filter((entry) => !entry.signal.aborted) };
}

function setUp(options: { othersHold?: Set<string>; failStarts?: number; secret?: string } = {}) {
  const logged: string[] = [];
  const scripted = aScriptedSite();
  const started: StartRun[] = [];
  const sleeps: number[] = [];
  let failures = options.failStarts ?? 0;
  let lockAlive = true;
  const listeners = makeTriggerListeners({
    site: scripted.site,
    engine: {
      start: async (request) => {
        started.push(request);
        if (failures-- > 0) throw new Error('database down');
        if (notServing) return rejected({ type: 'NotServing' as const });
        return ok({ runId: `r${started.length}`, existing: false, finished: new Promise(() => undefined) });
      },
    },
    values: { variables: async () => ({}), secret: async () => options.secret },
    lastEvent: async (workflowId, scope) => earlierEvents.findLast((event) => event.workflowId === workflowId && sameCursorScope(scope, event.scope))?.outputs ?? null,
    locks: { take: async (id) => !(options.othersHold?.has(id) ?? false), release: async () => undefined, alive: async () => lockAlive },
    ids: (() => { let n = 0; return () => `id${++n}`; })(),
    now: () => 0,
    log: { info: () => undefined, warn: (message, fields) => { logged.push(`${message} ${JSON.stringify(fields)}`); } },
    sleep: async (ms) => { sleeps.push(ms); await new Promise((resolve) => setImmediate(resolve)); },
  });
  return { listeners, ...scripted, started, sleeps, logged, loseLocks: () => { lockAlive = false; } };
}

let notServing = false;

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('trigger listeners', () => {
  it('listens for each served trigger whose lock it takes, and not for one another process holds', async () => {
    const { listeners, live } = setUp({ othersHold: new Set(['w2']) });
    await listeners.reconcile([served('w1'), served('w2')]);
    expect(live().map((entry) => entry.workflow)).toEqual(['w1']);
    expect(listeners.status('w1')).toMatchObject({ status: 'listening', restarts: 0 });
    expect(listeners.status('w2')).toBeUndefined();
    await listeners.stop();
  });

  it('stops an undeployed trigger, restarts a redeployed one, and stops all when the locks are lost', async () => {
    const { listeners, open, live, loseLocks } = setUp();
    await listeners.reconcile([served('w1'), served('w2')]);
    await listeners.reconcile([served('w1', 2)]);
    expect(open.map((entry) => [entry.workflow, entry.signal.aborted])).toEqual([['w1', true], ['w2', true], ['w1', false]]);
    loseLocks();
    await listeners.reconcile([served('w1', 2)]);
    expect(live()).toHaveLength(1); // taken again in the same pass (the fake's lock is free)
    expect(open).toHaveLength(4);
    await listeners.stop();
    expect(live()).toHaveLength(0);
  });

  it('starts a stopped trigger again after a growing delay, counting each restart', async () => {
    const { listeners, open, sleeps } = setUp();
    await listeners.reconcile([served('w1')]);
    open[0]?.end('its stream failed');
    await settle();
    open[1]?.end('its stream failed');
    await settle();
    expect(sleeps).toEqual([1000, 2000]);
    expect(listeners.status('w1')).toMatchObject({ status: 'listening', restarts: 2, lastError: 'its stream failed' });
    await listeners.stop();
  });

  it('starts one run per event, again with the same key when a start fails on the world; refuses outputs that do not fit', async () => {
    const { listeners, open, started } = setUp({ failStarts: 2 });
    await listeners.reconcile([served('w1')]);
    const handlers = open[0]?.handlers as ListenHandlers;
    expect(await handlers.onEvent({ runId: 'l-1', outputs: { n: 1 } })).toEqual({ kind: 'accepted' });
    expect(await handlers.onEvent({ runId: 'l-2', outputs: { n: 'two' } })).toEqual({ kind: 'refused', reason: expect.stringMatching(/^its outputs do not fit the declaration: n is integer/) as unknown });
    expect(started.map((request) => request.idempotencyKey)).toEqual(Array(3).fill('trigger:w1:id1:l-1'));
    expect(started[0]).toMatchObject({ triggerType: 'action', triggerOutputs: { n: 1 }, workflowId: 'w1' });
    expect(listeners.status('w1')).toMatchObject({ events: 1, refused: 1 });
    await listeners.stop();
  });

  it('leaves unanswered an event whose run is not started because the workflow no longer serves', async () => {
    const { listeners, open } = setUp();
    await listeners.reconcile([served('w1')]);
    const handlers = open[0]?.handlers as ListenHandlers;
    notServing = true;
    expect(await handlers.onEvent({ runId: 'l-1', outputs: { n: 1 } })).toEqual({ kind: 'unanswered' });
    notServing = false;
    await listeners.stop();
  });

  it('masks the secrets it gave the trigger in what the trigger says: its errors and why it stopped, in the status and the log', async () => {
    const secret = 'hunter2-broker-password';
    const { listeners, open, logged } = setUp({ secret });
    const withSecret: ServedTrigger = {
      ...served('w1'),
      actions: [{ ...ticker, inputs: [{ name: 'password', type: 'password', help: '', optional: false }] }],
      documentJson: JSON.stringify({
        apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'w',
        trigger: { type: 'action', action: 'ticker@1.0.0', inputs: { password: '${{ secrets.BROKER_PASSWORD }}' } }, steps: [{ id: 'a', action: 'x@1' }],
      }),
    };
    await listeners.reconcile([withSecret]);
    await settle();
    const [first] = open;
    first?.handlers.onTriggerError({ code: 'auth_failed', message: `login refused for amqp://app:${secret}@broker` });
    expect(listeners.status('w1')?.lastError).toBe('auth_failed: login refused for amqp://app:***@broker');
    first?.end(`connection lost (password ${Buffer.from(secret).toString('base64')})`);
    await settle();
    expect(listeners.status('w1')?.lastError).toBe('connection lost (password ***)');
    expect(logged.join('\n')).not.toContain(secret);
    expect(logged.join('\n')).not.toContain(Buffer.from(secret).toString('base64'));
    expect(logged.some((line) => line.includes('***'))).toBe(true);
    await listeners.stop();
  });

  it('listens with the newest accepted event of that workflow as lastEvent (null for none)', async () => {
    const { listeners, open } = setUp();
    await listeners.reconcile([served('w1'), served('w2')]);
    expect(open.map((entry) => [entry.workflow, entry.lastEvent])).toEqual([['w1', { n: 41 }], ['w2', null]]);
    await listeners.stop();
  });

  it('resumes a redeployed trigger from the cursor of its earlier versions with the same action and inputs, and from nothing when they changed', async () => {
    const { listeners, open } = setUp();
    const redeploys = [
      served('w1', 2), // the steps changed, not the trigger
      served('w1', 3, { action: 'ticker@2.0.0' }), // a new version of the same action
      served('w1', 4, { inputs: { every: 5 } }), // inputs an earlier version listened with
      served('w1', 5, { inputs: { every: 6 } }), // inputs never listened with
    ];
    for (const version of redeploys) await listeners.reconcile([version]);
    expect(open.map((entry) => entry.lastEvent)).toEqual([{ n: 41 }, { n: 41 }, { n: 7 }, null]);
    await listeners.stop();
  });
});
