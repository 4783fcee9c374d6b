import { describe, expect, it } from 'vitest';
import type { JsonValue } from '@trellis/kernel/io';
import type { DeployedVersion } from '../domain/deployment.js';
import { makeEngine } from './engine.js';
import { aPinnedAction, makeFakeProjectValues } from './fakes.js';
import type { RunObjects } from './run-objects.js';
import type { RunStore, TransitionWrite } from './run-store.js';
import type { ActionSite, ActionVersionRef, CallOutcome } from './site.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const text = { name: 'text', type: 'longstring' as const, help: '', optional: false };
const big = aPinnedAction({ actionId: 'big', inputs: [], outputs: [text] });
const small = aPinnedAction({ actionId: 'small', inputs: [], outputs: [text] });
const document = JSON.stringify({
  apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'two', trigger: { type: 'manual' },
  steps: [{ id: 'big', action: 'big@1.0.0', inputs: {} }, { id: 'small', action: 'small@1.0.0', inputs: {} }],
});

/** A store that keeps every write in the order it was handed over. */
function recordingStore(deployed: Partial<DeployedVersion> = {}): { store: RunStore; writes: TransitionWrite[] } {
  const writes: TransitionWrite[] = [];
  const store: RunStore = {
    servingVersion: async () => ({ projectId: 'p1', version: 1 }),
    version: async () => ({
      workflowId: 'w1', version: 1, projectId: 'p1', name: 'two', checksum: 'c', documentJson: document, actions: [big, small], files: [], site: 'local', receivedAt: new Date(),
      ...deployed,
    }),
    create: async () => ({ type: 'created', epoch: 1 }),
    commit: async (write) => { writes.push(write); return 'applied'; },
    release: async () => undefined,
    claimOrphans: async () => [],
    endOf: async () => null,
    cancelStored: async () => 'not_found',
    unfinished: async () => [],
    recordSignal: async () => 'not_found',
    placeOf: async () => undefined,
    signalsOf: async () => [],
  };
  return { store, writes };
}

describe('the engine', () => {
  it('hands a run\'s transitions over in the order it made them, even when the first waits for a large value to be stored', async () => {
    const { store, writes } = recordingStore();
    const stored: string[] = [];
    const objects: RunObjects = {
      keyOf: (_p, _r, ...parts) => parts.join('/'), runsPrefix: () => '', urlToRead: async () => '', urlToWrite: async () => '', describe: async () => undefined,
      putText: async (object) => { await sleep(50); stored.push(object); }, getText: async () => '',
    };
    // big answers at once with a large value, small a little later with a small one.
    const site: Pick<ActionSite, 'call'> = {
      call: async (action): Promise<CallOutcome> => {
        if (action.actionId === 'small') await sleep(10);
        const value: JsonValue = action.actionId === 'big' ? 'x'.repeat(5000) : 'y';
        return { ok: true, outputs: { text: value }, logs: { stdout: '', stderr: '', truncated: false }, durationMs: 1 };
      },
    };
    let id = 0;
    const engine = makeEngine({
      store, site, values: makeFakeProjectValues(), objects, inlineValueBytes: 1024, clock: () => new Date(), ids: () => `id-${(id += 1)}`,
      log: { info: () => undefined, warn: () => undefined }, defaultTimeoutMs: 1000, pollMs: 10, random: () => 0.5,
    });
    const started = await engine.start({ projectId: 'p1', workflowId: 'w1', triggerType: 'manual', triggerOutputs: {}, traceId: 't' });
    if (!started.ok) throw new Error('not started');
    const end = await started.value.finished;
    expect(end.status).toBe('succeeded');
    expect(writes.map((write) => write.expect.map((e) => e.step))).toEqual([['big'], ['small']]);
    expect(writes[0]?.steps.find((row) => row.step === 'big')?.outputs).toEqual({ text: { $stored: 'values/big/1/outputs/text', size: 5002 } });
    expect(writes[1]?.end?.status).toBe('succeeded');
    expect(stored).toEqual(['values/big/1/outputs/text']);
  });

  it('calls each step\'s action on the version\'s site with its image, the step\'s resources replacing the manifest\'s one by one', async () => {
    const image = (name: string) => `trellis-action/${name}@sha256:${'1'.repeat(64)}`;
    const manifest = { cpu: 0.5, memoryBytes: 256 * 1024 ** 2, timeoutMs: 5000 };
    const sited = JSON.stringify({
      apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'two', site: 'docker', trigger: { type: 'manual' },
      steps: [{ id: 'big', action: 'big@1.0.0', inputs: {} }, { id: 'small', action: 'small@1.0.0', inputs: {}, needs: ['big'], resources: { memory: '1Gi' } }],
    });
    const { store } = recordingStore({
      documentJson: sited, site: 'docker',
      actions: [{ ...big, image: image('big'), resources: manifest }, { ...small, image: image('small'), resources: manifest }],
    });
    const called: ActionVersionRef[] = [];
    const site: Pick<ActionSite, 'call'> = {
      call: async (action): Promise<CallOutcome> => {
        called.push(action);
        return { ok: true, outputs: { text: 'y' }, logs: { stdout: '', stderr: '', truncated: false }, durationMs: 1 };
      },
    };
    let id = 0;
    const engine = makeEngine({
      store, site, values: makeFakeProjectValues(), objects: {} as RunObjects, inlineValueBytes: 1024, clock: () => new Date(), ids: () => `id-${(id += 1)}`,
      log: { info: () => undefined, warn: () => undefined }, defaultTimeoutMs: 1000, pollMs: 10, random: () => 0.5,
    });
    const started = await engine.start({ projectId: 'p1', workflowId: 'w1', triggerType: 'manual', triggerOutputs: {}, traceId: 't' });
    if (!started.ok) throw new Error('not started');
    expect((await started.value.finished).status).toBe('succeeded');
    expect(called.map(({ actionId, site: where, image: from, resources }) => ({ actionId, where, from, resources }))).toEqual([
      { actionId: 'big', where: 'docker', from: image('big'), resources: { cpu: 0.5, memoryBytes: 256 * 1024 ** 2 } },
      { actionId: 'small', where: 'docker', from: image('small'), resources: { cpu: 0.5, memoryBytes: 1024 ** 3 } },
    ]);
  });
});
