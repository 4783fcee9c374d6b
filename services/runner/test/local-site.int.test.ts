// The local site on a real object store with real artifacts, built by the action builder's own
// toolchain (scripts/build-artifact.mjs) from example and test action folders, started as the
// runner starts them: one wrapper process per action version.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IoSpec } from '@trellis/kernel/io';
import { eventually } from '@trellis/platform/testing/eventually';
import { startTestObjectStore, type TestObjectStore } from '@trellis/platform/testing/object-store';
import type { ActionVersionRef, Call } from '../src/application/site.js';
import { type LocalSite, makeLocalSite } from '../src/infrastructure/local-site/local-site.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const quiet = { info: () => undefined, warn: () => undefined };

type Built = { file: string; digest: string; size: number; definition: { id: string; version: string; kind: ActionVersionRef['kind']; runtime: string; inputs: IoSpec[]; outputs: IoSpec[] } };

/** Builds the folders into artifacts and stores them as the builder does, by digest; their refs as a deployment pins them. */
async function buildAndStore(store: TestObjectStore, dir: string, projectId: string, folders: readonly string[]): Promise<ActionVersionRef[]> {
  const args = folders.flatMap((folder, n) => [path.join(root, folder), path.join(dir, `artifact-${n}.tar.gz`)]);
  const { stdout } = await run(process.execPath, [path.join(root, 'scripts/build-artifact.mjs'), ...args], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  const built = stdout.trim().split('\n').map((line) => JSON.parse(line) as Built);
  return Promise.all(built.map(async ({ file, digest, size, definition }) => {
    const artifactObject = `action-builder/projects/${projectId}/artifacts/${digest}.tar.gz`;
    await store.store.client.fPutObject(store.config.bucket, artifactObject, file);
    return {
      projectId, actionId: definition.id, version: definition.version, digest, artifactObject, artifactSize: size,
      kind: definition.kind, runtime: definition.runtime, inputs: definition.inputs, outputs: definition.outputs,
    };
  }));
}

let calls = 0;
const aCall = (inputs: Call['inputs'], fields: Partial<Call> = {}): Call => ({
  executionId: `exec-${++calls}`, idempotencyKey: `run-1:step-${calls}`, attempt: 1, inputs, outputUrls: {}, timeoutMs: 10_000, ...fields,
});

/** The pids of this test process's children (the wrappers it started), and every process still in their groups. */
async function childPids(): Promise<number[]> {
  const { stdout } = await run('ps', ['-o', 'pid=', '--ppid', String(process.pid)]).catch(() => ({ stdout: '' }));
  return stdout.split('\n').map((line) => Number(line.trim())).filter((pid) => pid > 0);
}
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
async function processesInGroups(groups: readonly number[]): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'pid=,pgid=,args=']);
  return stdout.split('\n').filter((line) => groups.includes(Number(line.trim().split(/\s+/)[1])));
}

describe('the local site', () => {
  let store: TestObjectStore;
  let dir = '';
  let site: LocalSite;
  let addOne: ActionVersionRef;
  let uppercase: ActionVersionRef;
  let probe: ActionVersionRef;
  let probePy: ActionVersionRef;
  const projectId = randomUUID();

  beforeAll(async () => {
    store = await startTestObjectStore();
    dir = await mkdtemp(path.join(tmpdir(), 'trellis-site-test-'));
    [addOne, uppercase, probe, probePy] = (await buildAndStore(store, dir, projectId, [
      'examples/actions/add-one', 'examples/actions/uppercase', 'services/runner/test/actions/site-probe', 'services/runner/test/actions/site-probe-py',
    ])) as [ActionVersionRef, ActionVersionRef, ActionVersionRef, ActionVersionRef];
    site = makeLocalSite(store.store, {
      workDir: path.join(dir, 'work'), concurrency: 3, idleMs: 60_000, healthIntervalMs: 500, stopGraceMs: 2000, actionEnv: { TRELLIS_ALLOW_PRIVATE_NETWORK: 'true' },
    }, quiet);
  }, 60_000);
  afterAll(async () => {
    await site?.stop();
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('prepares a Node and a Python action and calls them: outputs by their declared types', async () => {
    const prepared = await Promise.all([site.prepare(addOne), site.prepare(uppercase), site.prepare(addOne)]);
    expect(prepared).toEqual([{ ok: true, value: undefined }, { ok: true, value: undefined }, { ok: true, value: undefined }]);
    const [added, shouted] = await Promise.all([site.call(addOne, aCall({ n: 41 })), site.call(uppercase, aCall({ text: 'quiet please' }))]);
    expect(added).toMatchObject({ ok: true, outputs: { n: 42 } });
    expect(shouted).toMatchObject({ ok: true, outputs: { text: 'QUIET PLEASE' } });
    // One process per version, started by the prepare: not a cold start.
    expect(site.stats().find((s) => s.actionVersion === 'add-one@1.0.0')).toMatchObject({ state: 'ready', processes: 1, coldStarts: 0, restarts: 0 });
  });

  it('refuses a value that does not fit its declared type before the call, as action_error invalid_input', async () => {
    const outcome = await site.call(addOne, aCall({ n: 'forty' }));
    expect(outcome).toMatchObject({ ok: false, failure: { kind: 'action_error', code: 'invalid_input', message: expect.stringMatching(/input 'n' is declared integer/) } });
    expect(await site.call(addOne, aCall({ n: 1.5 }))).toMatchObject({ ok: false, failure: { code: 'invalid_input' } });
    expect(await site.call(addOne, aCall({ m: 1 }))).toMatchObject({ ok: false, failure: { code: 'invalid_input', message: expect.stringMatching(/unknown input 'm'/) } });
  });

  it('hands the idempotency key and the attempt to the handler (Node and Python)', async () => {
    const node = await site.call(probe, aCall({ mode: 'context' }, { executionId: 'exec-ctx', idempotencyKey: 'run-9:charge', attempt: 2 }));
    expect(node).toMatchObject({ ok: true, outputs: { result: { idempotencyKey: 'run-9:charge', attempt: 2, executionId: 'exec-ctx' } } });
    const python = await site.call(probePy, aCall({ text: 'hi' }, { idempotencyKey: 'run-9:mail', attempt: 3 }));
    expect(python).toMatchObject({ ok: true, outputs: { result: { idempotencyKey: 'run-9:mail', attempt: 3, text: 'hi' } } });
  });

  it("gives the action process the instance's action settings and nothing of the runner's environment", async () => {
    const outcome = await site.call(probe, aCall({ mode: 'env' }));
    expect(outcome).toMatchObject({ ok: true, outputs: { result: { allowPrivateNetwork: 'true' } } });
    const names = (outcome as unknown as { outputs: { result: { names: string[] } } }).outputs.result.names;
    expect(names.filter((name) => !['PATH', 'TRELLIS_EXIT_WITH_STDIN', 'TRELLIS_ALLOW_PRIVATE_NETWORK'].includes(name))).toEqual([]);
  });

  it('refuses an artifact whose bytes do not match the digest, and an unknown object', async () => {
    const wrong = { ...addOne, version: '1.0.1', digest: 'f'.repeat(64) };
    const refused = await site.prepare(wrong);
    expect(refused).toEqual({ ok: false, error: { reason: expect.stringMatching(/does not match its digest \(SHA-256 [0-9a-f]{64}, expected f{64}\); it was refused/) } });
    const call = await site.call(wrong, aCall({ n: 1 }));
    expect(call).toMatchObject({ ok: false, failure: { kind: 'unavailable' } });
    const missing = await site.prepare({ ...addOne, digest: 'e'.repeat(64), artifactObject: 'action-builder/projects/x/artifacts/nope.tar.gz' });
    expect(missing).toEqual({ ok: false, error: { reason: expect.stringMatching(/is not in the object store/) } });
  });

  it('keeps calls beyond the concurrency limit waiting, in order', async () => {
    const outcomes = await Promise.all(Array.from({ length: 9 }, () => site.call(probe, aCall({ mode: 'sleep', ms: 150 }))));
    const seen = outcomes.map((outcome) => (outcome.ok ? (outcome.outputs['result'] as { running: number }).running : -1));
    expect(Math.max(...seen)).toBe(3);
    expect(Math.min(...seen)).toBeGreaterThan(0);
  });

  it('times a call out at its timeout', async () => {
    const started = performance.now();
    const outcome = await site.call(probe, aCall({ mode: 'sleep', ms: 5000 }, { timeoutMs: 300 }));
    expect(outcome).toMatchObject({ ok: false, failure: { kind: 'timeout' } });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('fails a call whose process is killed with runtime_crashed, and starts it again on the next call', async () => {
    const first = await site.call(probe, aCall({ mode: 'pid' }));
    const pid = first.ok ? (first.outputs['result'] as { pid: number }).pid : 0;
    expect(pid).toBeGreaterThan(0);
    const inFlight = site.call(probe, aCall({ mode: 'sleep', ms: 5000 }));
    await eventually(async () => site.stats().find((s) => s.actionVersion === 'site-probe@1.0.0')?.inFlight, (n) => n === 1);
    process.kill(pid, 'SIGKILL');
    expect(await inFlight).toMatchObject({ ok: false, failure: { kind: 'runtime_crashed' } });
    expect(site.stats().find((s) => s.actionVersion === 'site-probe@1.0.0')).toMatchObject({ state: 'crashed', processes: 0 });
    const next = await site.call(probe, aCall({ mode: 'pid' }));
    expect(next.ok && (next.outputs['result'] as { pid: number }).pid).not.toBe(pid);
    expect(site.stats().find((s) => s.actionVersion === 'site-probe@1.0.0')).toMatchObject({ state: 'ready', processes: 1, restarts: 1 });
  });

  it('kills a process that stops answering its health checks, and starts it again on the next call', async () => {
    const before = await site.call(probe, aCall({ mode: 'pid' }));
    const pid = before.ok ? (before.outputs['result'] as { pid: number }).pid : 0;
    const restarts = site.stats().find((s) => s.actionVersion === 'site-probe@1.0.0')?.restarts ?? 0;
    process.kill(pid, 'SIGSTOP'); // alive, but answers nothing
    await eventually(async () => site.stats().find((s) => s.actionVersion === 'site-probe@1.0.0'), (s) => s?.state === 'crashed', 10_000);
    expect(isAlive(pid)).toBe(false);
    const after = await site.call(probe, aCall({ mode: 'pid' }));
    expect(after).toMatchObject({ ok: true });
    expect(site.stats().find((s) => s.actionVersion === 'site-probe@1.0.0')?.restarts).toBe(restarts + 1);
  });

  it('cancels a call whose signal is aborted', async () => {
    const controller = new AbortController();
    const pending = site.call(probe, aCall({ mode: 'sleep', ms: 5000 }, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 100);
    expect(await pending).toMatchObject({ ok: false, failure: { kind: 'canceled' } });
  });

  it('scales a version to zero after its idle time and cold-starts it on the next call', async () => {
    const idle = makeLocalSite(store.store, { workDir: path.join(dir, 'work'), concurrency: 2, idleMs: 300 }, quiet);
    const pidOf = async () => {
      const outcome = await idle.call(probe, aCall({ mode: 'pid' }));
      return outcome.ok ? (outcome.outputs['result'] as { pid: number }).pid : 0;
    };
    try {
      const first = await pidOf();
      expect(idle.stats()[0]).toMatchObject({ state: 'ready', coldStarts: 1, processes: 1 });
      await eventually(async () => idle.stats()[0], (stats) => stats?.state === 'idle' && stats.processes === 0, 5000);
      expect(isAlive(first)).toBe(false);
      const second = await pidOf();
      expect(second).toBeGreaterThan(0);
      expect(second).not.toBe(first);
      const stats = idle.stats()[0];
      expect(stats).toMatchObject({ state: 'ready', processes: 1, coldStarts: 2, restarts: 0 });
      expect(stats?.lastColdStartMs).toBeGreaterThan(0);
      expect(stats?.lastColdStartMs).toBeLessThan(5000);
    } finally {
      await idle.stop();
    }
  });

  it('scales a version to zero on request: refused while a call is in flight, stopped at once otherwise, cold-started by the next call', async () => {
    const scaled = makeLocalSite(store.store, { workDir: path.join(dir, 'work'), concurrency: 2, idleMs: 60_000 }, quiet);
    const pidOf = async () => {
      const outcome = await scaled.call(probe, aCall({ mode: 'pid' }));
      return outcome.ok ? (outcome.outputs['result'] as { pid: number }).pid : 0;
    };
    try {
      expect(await scaled.scaleToZero(probe)).toBe('not_running');
      const first = await pidOf();
      const sleeping = scaled.call(probe, aCall({ mode: 'sleep', ms: 300 }));
      await eventually(async () => scaled.stats()[0], (stats) => stats?.inFlight === 1, 5000);
      expect(await scaled.scaleToZero(probe)).toBe('busy');
      expect(await sleeping).toMatchObject({ ok: true });
      expect(await scaled.scaleToZero(probe)).toBe('stopped');
      expect(scaled.stats()[0]).toMatchObject({ state: 'idle', processes: 0, coldStarts: 1 });
      expect(isAlive(first)).toBe(false);
      const second = await pidOf();
      expect(second).not.toBe(first);
      expect(scaled.stats()[0]).toMatchObject({ state: 'ready', processes: 1, coldStarts: 2, restarts: 0 });
      expect(scaled.stats()[0]?.lastColdStartMs).toBeGreaterThan(0);
    } finally {
      await scaled.stop();
    }
  });

  it('stops a released version once it is idle', async () => {
    const released = makeLocalSite(store.store, { workDir: path.join(dir, 'work'), concurrency: 2, idleMs: 60_000 }, quiet);
    try {
      expect(await released.prepare(addOne)).toEqual({ ok: true, value: undefined });
      const busy = released.call(addOne, aCall({ n: 5 }));
      await released.release(addOne);
      expect(await busy).toMatchObject({ ok: true, outputs: { n: 6 } });
      await eventually(async () => released.stats()[0], (stats) => stats?.state === 'stopped' && stats.processes === 0, 5000);
    } finally {
      await released.stop();
    }
  });

  it('stops every process it started, leaving no child behind', async () => {
    const pids = await childPids();
    expect(pids.length).toBeGreaterThanOrEqual(3);
    // The Python action's child runs in its wrapper's process group.
    expect((await processesInGroups(pids)).some((line) => line.includes('trellis_runtime.py'))).toBe(true);
    await site.stop();
    expect(await processesInGroups(pids)).toEqual([]);
    expect(site.stats().every((s) => s.processes === 0 && s.state === 'stopped')).toBe(true);
    expect(await site.call(addOne, aCall({ n: 1 }))).toMatchObject({ ok: false, failure: { kind: 'unavailable' } });
  });
});
