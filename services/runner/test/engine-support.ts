import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { IoSpec } from '@trellis/kernel/io';
import { loadConfig } from '@trellis/platform/config';
import { generateSealingKeyPair } from '@trellis/platform/crypto/sealed-box';
import { eventually } from '@trellis/platform/testing/eventually';
import { handled as handledOn, publishAs, useServiceUnderTest } from '@trellis/platform/testing/service-harness';
import { makeEngine } from '../src/application/engine.js';
import type { ActionSite } from '../src/application/site.js';
import { envSchema } from '../src/infrastructure/config.js';
import * as authorization from '../src/infrastructure/pb/authorization/v1/events.js';
import * as studio from '../src/infrastructure/pb/studio/v1/events.js';
import { migrations } from '../src/infrastructure/postgres/migrations.js';
import { makeRunObjects } from '../src/infrastructure/object-store/run-objects.js';
import { makeRunStore } from '../src/infrastructure/postgres/run-store.js';
import type { Database } from '../src/infrastructure/postgres/schema.js';
import { declareTopology, eventsQueue } from '../src/infrastructure/rabbitmq/topology.js';
import { startRunnerProcess } from '../src/infrastructure/runner-process.js';
import { startRunner, type RunningRunner } from '../src/infrastructure/start-runner.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const RETRY_DELAYS_MS = [100, 200, 400];
const QUEUE = eventsQueue(RETRY_DELAYS_MS).name;
export const LEASE_MS = 2000;
const quiet = { info: () => undefined, warn: () => undefined };

type Built = { file: string; digest: string; size: number; definition: { id: string; version: string; kind: string; runtime: string; inputs: IoSpec[]; outputs: IoSpec[] } };

const io = (spec: IoSpec): studio.IoDescription => studio.IoDescription.fromPartial({
  name: spec.name, type: spec.type, help: spec.help, optional: spec.optional, values: spec.values ? [...spec.values] : [],
  defaultJson: spec.default !== undefined ? JSON.stringify(spec.default) : '',
});

const meta = (projectId: string) => ({ eventId: randomUUID(), occurredAt: new Date(), projectId, traceId: 'trace' });

/**
 * The runner as main.ts runs it (its real local site and engine) on a database, vhost and store
 * of the file's own, a short lease and a fast takeover loop; actions built from folders by the
 * builder's toolchain and stored as the builder stores them.
 */
/** `env`: more of the runner's environment (e.g. TRELLIS_WEBHOOK_*) for this file. */
export function useEngineRunner(extraEnv: Record<string, string> = {}) {
  let workDir = '';
  let startAgain: ((changed?: Record<string, string>) => Promise<RunningRunner>) | undefined;
  const service = useServiceUnderTest<Database>({
    service: 'runner',
    migrations,
    objectStore: true,
    declareTopology: async (channel) => {
      await channel.assertExchange('trellis.studio', 'topic', { durable: true });
      await declareTopology(channel, RETRY_DELAYS_MS);
    },
    env: { TRELLIS_MESSAGE_RETRY_DELAYS_MS: RETRY_DELAYS_MS.join(','), TRELLIS_SEALING_KEY: generateSealingKeyPair().privateKey, TRELLIS_RUNNER_LEASE_MS: String(LEASE_MS), ...extraEnv },
    start: async (env, logger) => {
      workDir = await mkdtemp(path.join(tmpdir(), 'trellis-engine-test-'));
      // Retry delays at the top of their jitter, so tests know them.
      const options = { version: 'test', logger, takeoverPollMs: 200, random: () => 0.999 };
      startAgain = (changed = {}) => startRunner(loadConfig(envSchema, { ...env, ...changed, TRELLIS_HTTP_PORT: '0', TRELLIS_RUNNER_WORK_DIR: workDir }), options);
      return startRunner(loadConfig(envSchema, { ...env, TRELLIS_RUNNER_WORK_DIR: workDir }), options);
    },
  });
  const runner = () => service.running as RunningRunner;
  const db = () => service.running.runtime.db;
  const handled = async (published: ReturnType<typeof publishAs>) => handledOn(service.database.db, QUEUE, await published);

  /** Builds the folders and stores the artifacts; the pinned actions as studio sends them. */
  const build = async (folders: readonly string[]): Promise<studio.PinnedAction[]> => {
    const dir = await mkdtemp(path.join(tmpdir(), 'trellis-engine-artifacts-'));
    const args = folders.flatMap((folder, n) => [path.join(root, folder), path.join(dir, `artifact-${n}.tar.gz`)]);
    const { stdout } = await run(process.execPath, [path.join(root, 'scripts/build-artifact.mjs'), ...args], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    return Promise.all(stdout.trim().split('\n').map(async (line) => {
      const { file, digest, size, definition } = JSON.parse(line) as Built;
      const artifactObject = `action-builder/artifacts/${digest}.tar.gz`;
      await service.store.store.client.fPutObject(service.store.config.bucket, artifactObject, file);
      return studio.PinnedAction.fromPartial({
        id: definition.id, version: definition.version, digest, artifactObject, artifactSize: String(size), kind: definition.kind, runtime: definition.runtime,
        format: 'trellis', inputs: definition.inputs.map(io), outputs: definition.outputs.map(io), resources: { cpu: 0.1, memoryBytes: '67108864', timeoutMs: '10000' },
      });
    }));
  };

  const knownProject = async (): Promise<string> => {
    const projectId = randomUUID();
    await handled(publishAs(service.vhost.url, 'authorization', 'trellis.authorization.v1.ProjectCreated',
      authorization.ProjectCreated.encode(authorization.ProjectCreated.fromPartial({ meta: meta(projectId), projectId, name: `p-${projectId.slice(0, 8)}`, createdBy: randomUUID() })).finish()));
    return projectId;
  };

  /** Deploys the document (steps given as studio writes them) as studio does, and waits until it serves. */
  const deploy = async (projectId: string, document: Record<string, unknown>, actions: readonly studio.PinnedAction[], files: readonly studio.StaticFile[] = []): Promise<string> => {
    const workflowId = randomUUID();
    const request = studio.WorkflowDeployRequested.fromPartial({
      meta: meta(projectId), workflowId, workflowName: String(document['name']), version: 1, checksum: 'c'.repeat(64), deploymentId: randomUUID(),
      documentJson: JSON.stringify({ apiVersion: 'trellis.dev/v1', kind: 'Workflow', ...document }), actions: [...actions], requestedBy: randomUUID(), files: [...files],
    });
    await handled(publishAs(service.vhost.url, 'studio', 'trellis.studio.v1.WorkflowDeployRequested', studio.WorkflowDeployRequested.encode(request).finish()));
    await eventually(() => db().selectFrom('deployments').select(['status', 'reason']).where('workflow_id', '=', workflowId).executeTakeFirst(), (row) => row?.status === 'active', 30_000);
    return workflowId;
  };

  /**
   * Another runner process on the same database (its own process row, store and engine), with
   * the site given (the real one by default). `heartbeatMs` large: it never beats after its start.
   */
  const anotherEngine = async (options: { site?: Pick<ActionSite, 'call'>; heartbeatMs?: number } = {}) => {
    const id = randomUUID();
    const store = makeRunStore(db(), { processId: id, leaseMs: LEASE_MS });
    const process = await startRunnerProcess(db(), { id, heartbeatMs: options.heartbeatMs ?? 250, logger: service.running.runtime.logger });
    const engine = makeEngine({
      store, site: options.site ?? runner().site, values: runner().projectValues, objects: makeRunObjects(service.store.store, 'runner'), inlineValueBytes: 65_536, clock: () => new Date(), ids: randomUUID, log: quiet, defaultTimeoutMs: 10_000, pollMs: 50, random: () => 0.999,
    });
    return { id, engine, store, stop: async () => { await engine.stop(); await process.stop(); } };
  };

  /** Stops the runner and starts another process on the same database, vhost and store (as after a restart), its env changed by `changedEnv`; `runner()` is the new one. */
  const restart = async (changedEnv: Record<string, string> = {}): Promise<RunningRunner> => {
    if (!startAgain) throw new Error('the runner has not started');
    await service.running.stop();
    const again = await startAgain(changedEnv);
    await again.runtime.broker.waitUntilConnected(10_000);
    service.running = again;
    return again;
  };

  return { service, runner, db, build, knownProject, deploy, anotherEngine, restart };
}

/** A chain of `length` add-one steps: s0 reads the trigger's n, the result is the last step's n. */
export function aChain(name: string, length: number, action = 'add-one@1.0.0'): Record<string, unknown> {
  return {
    name, trigger: { type: 'http', path: name, inputs: [{ name: 'n', type: 'integer' }] },
    steps: Array.from({ length }, (_, i) => ({ id: `s${i}`, action, inputs: { n: i === 0 ? '${{ trigger.n }}' : `\${{ steps.s${i - 1}.n }}` } })),
    results: { n: `\${{ steps.s${length - 1}.n }}` },
  };
}

/** A site whose calls wait until the test lets them go (then go to `site`). */
export function aGatedSite(site: Pick<ActionSite, 'call'>) {
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => { open = resolve; });
  let calls = 0;
  const gated: Pick<ActionSite, 'call'> = { call: async (action, call) => { calls += 1; await gate; return site.call(action, call); } };
  return { site: gated, open: () => open(), calls: () => calls };
}
