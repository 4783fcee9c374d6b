import { randomUUID } from 'node:crypto';
import { ApiException, type KubeConfig } from '@kubernetes/client-node';
import { rejected } from '@trellis/kernel/result';
import type { ActionSite, ActionVersionRef, CallOutcome } from '../../application/site.js';
import type { AttemptTail } from '../http/step-log-stream.js';
import { callAction } from '../local-site/call-action.js';
import { type RunningCalls, tailOf } from '../local-site/call-tail.js';
import type { SiteLogger } from '../local-site/local-site.js';
import { makeCluster, type Cluster } from './cluster.js';
import { keyOf, type VersionProfile } from './names.js';
import { namespaceObject, networkPolicyObject } from './objects.js';
import type { KubernetesSiteSettings } from './settings.js';
import { makeVersionDeployment, type VersionDeployment } from './version.js';

export type KubernetesSiteDeps = {
  readonly kubeConfig: KubeConfig;
  readonly logger: SiteLogger;
  /** This runner process (its busy marks on shared Deployments); a random one when absent. */
  readonly runnerId?: string;
};

export type KubernetesSite = ActionSite & {
  /** Scales the version to zero now unless a call is in flight, as its idle time would (the next call cold-starts it). */
  scaleToZero: (action: ActionVersionRef) => Promise<'stopped' | 'busy' | 'not_running'>;
  /** The call in flight here for a step, to follow its output; undefined when none is. */
  tailCall: (idempotencyKey: string) => AttemptTail | undefined;
};

export const NO_IMAGE = 'no image for the kubernetes site: the builder makes one when TRELLIS_IMAGES=registry';

/** The version as this site runs it, or why it cannot. */
function profileOf(action: ActionVersionRef, settings: KubernetesSiteSettings): VersionProfile | undefined {
  if (action.image === undefined || action.image === '') return undefined;
  return { ref: action, image: action.image, cpu: action.resources?.cpu ?? settings.defaultCpu, memoryBytes: action.resources?.memoryBytes ?? settings.defaultMemoryBytes };
}

/** What the API server said when it refused: its Status message, else the HTTP code. */
function refusalOf(error: unknown): string | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const body: unknown = typeof error.body === 'string' ? safeJson(error.body) : error.body;
  const message = (body as { message?: unknown } | undefined)?.message;
  return `the Kubernetes API refused (HTTP ${error.code}): ${typeof message === 'string' ? message : 'no message'}`;
}
function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Actions as Deployments on a Kubernetes cluster (docs/kubernetes-site.md): per project a
 * namespace behind a NetworkPolicy, per version and resource profile a Deployment and a Service,
 * scaled by the runner from its calls in flight and to zero when idle. Calls go through the local
 * site's call mapping, so their outcomes mean the same on every site.
 */
export function makeKubernetesSite(settings: KubernetesSiteSettings, deps: KubernetesSiteDeps): KubernetesSite {
  const cluster: Cluster = makeCluster(deps.kubeConfig);
  const versions = new Map<string, VersionDeployment>();
  const projects = new Map<string, Promise<void>>();
  const running: RunningCalls = new Map();
  const now = () => performance.now();
  const runnerId = deps.runnerId ?? randomUUID().slice(0, 8);
  let stopped = false;
  const onEvent = (event: string, fields: Record<string, unknown>) =>
    event.includes('crash') || event.includes('fail') || event.includes('not ') ? deps.logger.warn(event, fields) : deps.logger.info(event, fields);

  /** The project's namespace and policy, applied once per site (a failure is tried again next time). */
  const projectReady = (projectId: string) => () => {
    let ready = projects.get(projectId);
    if (ready === undefined) {
      ready = (async () => {
        await cluster.apply(namespaceObject(settings, projectId));
        await cluster.apply(networkPolicyObject(settings, projectId));
      })().catch((error: unknown) => {
        projects.delete(projectId);
        throw error;
      });
      projects.set(projectId, ready);
    }
    return ready;
  };
  const versionOf = (profile: VersionProfile): VersionDeployment => {
    const key = keyOf(profile);
    let version = versions.get(key);
    if (version === undefined) {
      const made = makeVersionDeployment(profile, { cluster, settings, projectReady: projectReady(profile.ref.projectId), now, runnerId, onEvent });
      void made.gone.then(() => {
        if (versions.get(key) === made) versions.delete(key);
      });
      versions.set(key, made);
      version = made;
    }
    return version;
  };
  const known = (action: ActionVersionRef): VersionDeployment | undefined => {
    const profile = profileOf(action, settings);
    return profile === undefined ? undefined : versions.get(keyOf(profile));
  };

  return {
    async prepare(action) {
      if (stopped) return rejected({ reason: 'the runner is stopping' });
      const profile = profileOf(action, settings);
      if (profile === undefined) return rejected({ reason: NO_IMAGE });
      try {
        return await versionOf(profile).prepare();
      } catch (error) {
        const refusal = refusalOf(error);
        if (refusal !== undefined) return rejected({ reason: `${action.actionId} ${action.version} could not be deployed on kubernetes: ${refusal}` });
        throw new Error(`the kubernetes site could not prepare ${action.actionId} ${action.version}: ${(error as Error).message}`, { cause: error });
      }
    },
    async call(action, call): Promise<CallOutcome> {
      const unavailable = (message: string): CallOutcome => ({ ok: false, failure: { kind: 'unavailable', code: 'unavailable', message }, logs: { stdout: '', stderr: '', truncated: false }, durationMs: 0 });
      if (stopped) return unavailable('the runner is stopping');
      const profile = profileOf(action, settings);
      if (profile === undefined) return unavailable(NO_IMAGE);
      return callAction(versionOf(profile), action, call, now, running);
    },
    async release(action) {
      // Known here or not (the runner may have restarted since it was prepared): its objects go.
      const profile = profileOf(action, settings);
      if (profile === undefined || stopped) return;
      const version = versionOf(profile);
      version.release();
      // Deleted now when idle; after its last call otherwise (not waited for).
      if (version.stats().inFlight === 0) await version.gone;
    },
    stats: () => [...versions.values()].map((version) => version.stats()),
    async stop() {
      stopped = true;
      await Promise.all([...versions.values()].map((version) => version.stop()));
    },
    scaleToZero: async (action) => (await known(action)?.scaleToZero()) ?? 'not_running',
    tailCall: (idempotencyKey) => {
      const call = running.get(idempotencyKey);
      return call === undefined ? undefined : tailOf(call);
    },
  };
}
