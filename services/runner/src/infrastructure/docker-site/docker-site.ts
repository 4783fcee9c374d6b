import { hostname } from 'node:os';
import type Docker from 'dockerode';
import { ok, rejected } from '@trellis/kernel/result';
import type { ActionSite, ActionVersionRef, CallOutcome } from '../../application/site.js';
import type { TriggerSite } from '../../application/trigger-site.js';
import { makeActionInstance, type InstanceSettings, type ScaleOutcome } from '../local-site/action-instance.js';
import { startLiveAction } from '../local-site/action-process.js';
import { callAction } from '../local-site/call-action.js';
import { type RunningCalls, tailOf } from '../local-site/call-tail.js';
import type { SiteLogger } from '../local-site/local-site.js';
import { listenOn } from '../local-site/trigger-listener.js';
import type { AttemptTail } from '../http/step-log-stream.js';
import { ensureActionsNetwork } from './actions-network.js';
import { startContainerWrapper } from './container-wrapper.js';
import { callForContainer, valuesForContainer } from './container-urls.js';
import { makeInstancePool, type InstancePool } from './instance-pool.js';
import { containerLabels, containerName, LABEL, type Owner } from './labels.js';
import { type LiveRunners, removeOrphans } from './orphans.js';
import { startStoreGateway } from './store-gateway.js';

export type DockerSiteSettings = {
  /** The instance's id: containers and the network carry it. */
  readonly instance: string;
  /** This runner process's id (runner_processes.id): its containers carry it. */
  readonly runnerId: string;
  /** The object store's endpoint as this runner reaches it (presigned URLs are signed for it). */
  readonly storeEndpoint: string;
  /** The bridge network action containers join (made when missing). */
  readonly network: string;
  /** Calls in flight per container of a Node action (a Python wrapper runs one at a time). */
  readonly containerConcurrency: number;
  /** Containers per action version at most. */
  readonly maxContainers: number;
  readonly idleMs: number;
  /** Memory of a container when the action's manifest says none. */
  readonly defaultMemoryBytes: number;
  readonly tmpBytes?: number;
  readonly triggerEventsInFlight?: number;
  readonly healthIntervalMs?: number;
  readonly startTimeoutMs?: number;
  readonly stopGraceMs?: number;
  readonly processLogBytes?: number;
  /** The runner processes alive now: containers of others are orphans, removed at start and then every `orphanSweepMs`. */
  readonly liveRunners: LiveRunners;
  readonly orphanSweepMs?: number;
  /** Given to every action container (actionEnvironment). */
  readonly actionEnv?: Readonly<Record<string, string>>;
};

export type DockerSite = ActionSite & TriggerSite & {
  scaleToZero: (action: ActionVersionRef) => Promise<ScaleOutcome>;
  tailCall: (idempotencyKey: string) => AttemptTail | undefined;
  /** What the version's containers wrote outside executions. */
  processLog: (action: ActionVersionRef) => string;
};

/** The version as the site keys it; with its resources, its pool (the same image with other limits is other containers). */
const versionKeyOf = (action: ActionVersionRef) => `${action.projectId}/${action.actionId}@${action.version}/${action.digest}/`;
const keyOf = (action: ActionVersionRef) => `${versionKeyOf(action)}${action.resources?.cpu ?? '-'}/${action.resources?.memoryBytes ?? '-'}`;

const unavailable = (message: string): CallOutcome => ({ ok: false, failure: { kind: 'unavailable', code: 'unavailable', message }, logs: { stdout: '', stderr: '', truncated: false }, durationMs: 0 });

/**
 * Actions in containers of the local Docker engine (docs/docker-site.md): per action version a
 * pool of containers from the image the builder made, scaled with the calls and to zero when
 * idle, health-checked, replaced when one dies; presigned URLs reach the store through the store
 * gateway. Containers of dead runners are removed at start.
 */
export async function startDockerSite(docker: Docker, settings: DockerSiteSettings, logger: SiteLogger): Promise<DockerSite> {
  await docker.ping();
  const owner: Owner = { instance: settings.instance, runnerId: settings.runnerId, host: hostname(), pid: process.pid };
  const sweep = async () => {
    const removed = await removeOrphans(docker, owner, settings.liveRunners);
    if (removed > 0) logger.info('orphan action containers removed', { count: removed });
  };
  await sweep();
  const sweeper = setInterval(() => void sweep().catch((error: unknown) => logger.warn('orphan action containers could not be swept', { error: (error as Error).message })), settings.orphanSweepMs ?? 60_000);
  sweeper.unref();
  const network = await ensureActionsNetwork(docker, settings.network, { [LABEL.instance]: settings.instance });
  const gateway = await startStoreGateway(network.gateway, settings.storeEndpoint);
  const instanceSettings: InstanceSettings = {
    concurrency: settings.containerConcurrency,
    idleMs: settings.idleMs,
    healthIntervalMs: settings.healthIntervalMs ?? 5000,
    stopGraceMs: settings.stopGraceMs ?? 5000,
    now: () => performance.now(),
    onEvent: (event, fields) => {
      const message = event.replace('action process', 'action container');
      if (event.includes('crash') || event.includes('health')) logger.warn(message, fields);
      else logger.info(message, fields);
    },
  };
  const startTimeoutMs = settings.startTimeoutMs ?? 30_000;
  const pools = new Map<string, InstancePool>();
  const running: RunningCalls = new Map();
  let serial = 0;
  let stopped = false;

  const poolOf = (action: ActionVersionRef): InstancePool => {
    const key = keyOf(action);
    const known = pools.get(key);
    if (known) return known;
    const image = action.image ?? '';
    const concurrency = action.runtime === 'python' ? 1 : settings.containerConcurrency;
    const launch = async () => {
      const host = await startContainerWrapper(docker, {
        image, name: containerName(settings.instance, action, (serial += 1)), labels: containerLabels(owner, action), network: network.name,
        extraHosts: [gateway.hostEntry], env: settings.actionEnv ?? {}, cpu: action.resources?.cpu, memoryBytes: action.resources?.memoryBytes ?? settings.defaultMemoryBytes,
        tmpBytes: settings.tmpBytes ?? 1024 ** 3, logLimitBytes: settings.processLogBytes ?? 64 * 1024, startTimeoutMs,
      });
      return startLiveAction(action, host, { startTimeoutMs });
    };
    const pool = makeInstancePool(action, () => makeActionInstance(action, launch, { ...instanceSettings, concurrency }), { max: settings.maxContainers, concurrency });
    pools.set(key, pool);
    return pool;
  };
  /** Every pool of the version, whatever resources steps gave it. */
  const poolsOfVersion = (action: ActionVersionRef) => [...pools.entries()].filter(([key]) => key.startsWith(versionKeyOf(action))).map(([, pool]) => pool);
  const noImage = (action: ActionVersionRef) => (action.image ? undefined : `${action.actionId} ${action.version} has no image for the docker site: build it again with TRELLIS_IMAGES=docker (or registry) on the action-builder`);

  return {
    async prepare(action) {
      if (stopped) return rejected({ reason: 'the runner is stopping' });
      const missing = noImage(action);
      if (missing) return rejected({ reason: missing });
      try {
        await poolOf(action).first().live('prepare');
        return ok(undefined);
      } catch (error) {
        return rejected({ reason: `${action.actionId} ${action.version} could not be started in a container: ${(error as Error).message}` });
      }
    },
    async call(action, call) {
      if (stopped) return unavailable('the runner is stopping');
      const missing = noImage(action);
      if (missing) return unavailable(missing);
      return callAction(poolOf(action).pick(), action, callForContainer(action, call, gateway.translate), instanceSettings.now, running);
    },
    async listen(action, request, handlers, signal) {
      if (stopped) return { kind: 'ended', message: 'the runner is stopping' };
      const missing = noImage(action);
      if (missing) return { kind: 'ended', message: missing };
      const inputs = valuesForContainer(action.inputs, request.inputs, gateway.translate);
      return listenOn(poolOf(action).first(), action, { ...request, inputs }, handlers, signal, settings.triggerEventsInFlight ?? 16);
    },
    release(action) {
      for (const pool of poolsOfVersion(action)) pool.release();
      return Promise.resolve();
    },
    stats: () => [...pools.values()].map((pool) => pool.stats()),
    async stop() {
      stopped = true;
      clearInterval(sweeper);
      await Promise.all([...pools.values()].map((pool) => pool.stop()));
      await gateway.close();
      // The last runner of the instance leaves no network behind; another one's containers keep it in use (refused, left).
      await docker.getNetwork(network.name).remove().catch(() => undefined);
    },
    scaleToZero: async (action) => {
      const outcomes = await Promise.all(poolsOfVersion(action).map((pool) => pool.scaleToZero()));
      return outcomes.includes('busy') ? 'busy' : outcomes.includes('stopped') ? 'stopped' : 'not_running';
    },
    tailCall: (idempotencyKey) => {
      const call = running.get(idempotencyKey);
      return call === undefined ? undefined : tailOf(call);
    },
    processLog: (action) => poolsOfVersion(action).map((pool) => pool.processLog()).filter((log) => log !== '').join('\n'),
  };
}
