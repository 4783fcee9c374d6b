import Docker from 'dockerode';
import { sql } from 'kysely';
import type { ServiceRuntime } from '@trellis/platform/service-runtime';
import { routeSites, type EnabledSites } from '../application/site-router.js';
import type { ActionSite, ActionVersionRef } from '../application/site.js';
import type { TriggerSite } from '../application/trigger-site.js';
import { actionEnvironment } from './action-environment.js';
import type { Env } from './config.js';
import { type DockerSite, startDockerSite } from './docker-site/docker-site.js';
import type { AttemptTail } from './http/step-log-stream.js';
import { loadKubeConfig } from './kubernetes-site/kube-config.js';
import { type KubernetesSite, makeKubernetesSite } from './kubernetes-site/kubernetes-site.js';
import { kubernetesSiteSettingsOf } from './kubernetes-site/settings.js';
import type { ScaleOutcome } from './local-site/action-instance.js';
import type { LocalSite } from './local-site/local-site.js';
import type { Database } from './postgres/schema.js';

export type WiredSites = {
  /** What the engine, the deployments and the triggers use: each reference goes to its site. */
  readonly routed: ActionSite & TriggerSite;
  readonly local: LocalSite;
  readonly docker?: DockerSite;
  readonly kubernetes?: KubernetesSite;
  /** An operator's scale to zero, on the version's own site. */
  scaleToZero: (action: ActionVersionRef) => Promise<ScaleOutcome>;
  /** The call in flight for a step on whichever site runs it. */
  tailCall: (idempotencyKey: string) => AttemptTail | undefined;
};

/**
 * The sites TRELLIS_SITES enables, behind one router. A site that is asked for and cannot start
 * (no Docker engine, no cluster) stops the runner's start with the reason: running its workflows
 * elsewhere would be a surprise.
 */
export async function wireSites(runtime: ServiceRuntime<Database>, env: Env, options: { local: LocalSite; processId: string }): Promise<WiredSites> {
  const enabled = new Set(env.TRELLIS_SITES);
  const logger = runtime.logger.child({ component: 'sites' });
  const docker = enabled.has('docker') ? await startDocker(runtime, env, options.processId) : undefined;
  const kubernetes = enabled.has('kubernetes')
    ? makeKubernetesSite({ ...kubernetesSiteSettingsOf(env), actionEnv: actionEnvironment(env) }, { kubeConfig: loadKubeConfig(process.env), runnerId: options.processId, logger: runtime.logger.child({ component: 'kubernetes site' }) })
    : undefined;
  const sites: EnabledSites = { ...(enabled.has('local') ? { local: options.local } : {}), ...(docker ? { docker } : {}), ...(kubernetes ? { kubernetes } : {}) };
  logger.info('sites enabled', { sites: [...enabled] });
  const routed = routeSites(sites);
  return {
    routed: { ...routed, stop: async () => Promise.all([routed.stop(), enabled.has('local') ? Promise.resolve() : options.local.stop()]).then(() => undefined) },
    local: options.local,
    ...(docker ? { docker } : {}),
    ...(kubernetes ? { kubernetes } : {}),
    scaleToZero: async (action) => {
      const site = action.site ?? 'local';
      if (site === 'docker') return docker?.scaleToZero(action) ?? 'not_running';
      if (site === 'kubernetes') return kubernetes?.scaleToZero(action) ?? 'not_running';
      return options.local.scaleToZero(action);
    },
    tailCall: (key) => options.local.tailCall(key) ?? docker?.tailCall(key) ?? kubernetes?.tailCall(key),
  };
}

async function startDocker(runtime: ServiceRuntime<Database>, env: Env, processId: string): Promise<DockerSite> {
  const docker = new Docker({ socketPath: env.TRELLIS_DOCKER_SOCKET });
  const leaseMs = env.TRELLIS_RUNNER_LEASE_MS;
  // The runner processes whose heartbeat is within their lease: their containers are theirs.
  const liveRunners = async () => {
    const { rows } = await sql<{ id: string }>`select id::text as id from runner_processes where stopped_at is null and heartbeat_at > now() - ${leaseMs} * interval '1 millisecond'`.execute(runtime.db);
    return new Set([processId, ...rows.map((row) => row.id)]);
  };
  try {
    return await startDockerSite(docker, {
      instance: env.TRELLIS_INSTANCE, runnerId: processId, storeEndpoint: env.TRELLIS_S3_ENDPOINT,
      network: env.TRELLIS_DOCKER_NETWORK ?? `trellis-actions-${env.TRELLIS_INSTANCE}`,
      containerConcurrency: env.TRELLIS_DOCKER_CONTAINER_CONCURRENCY, maxContainers: env.TRELLIS_DOCKER_MAX_CONTAINERS,
      idleMs: env.TRELLIS_RUNNER_IDLE_MS, defaultMemoryBytes: env.TRELLIS_DOCKER_MEMORY, liveRunners, actionEnv: actionEnvironment(env),
    }, runtime.logger.child({ component: 'docker site' }));
  } catch (error) {
    throw new Error(`the docker site cannot start (TRELLIS_SITES has docker): the Docker engine at ${env.TRELLIS_DOCKER_SOCKET}: ${(error as Error).message}`, { cause: error });
  }
}
