import type { V1Pod } from '@kubernetes/client-node';
import type { EventLine } from './cluster.js';

/*
 * What a pod's status says to the site: whether it can take calls, how often its container
 * restarted, and whether it is stuck in a way waiting will not fix (docs/kubernetes-site.md,
 * "Failures"). Pure.
 */

/** Running, Ready (its TCP probe passes), with an address, and not being deleted. */
export function isReady(pod: V1Pod): boolean {
  const ready = pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false;
  return pod.status?.phase === 'Running' && ready && (pod.status.podIP ?? '') !== '' && pod.metadata?.deletionTimestamp === undefined;
}

export function restartsOf(pod: V1Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((sum, status) => sum + status.restartCount, 0);
}

/** A pod stuck for good: its image cannot be pulled, its container keeps crashing, or it cannot be created as specified. */
export type StuckPod =
  | { readonly kind: 'image'; readonly pod: string; readonly reason: string; readonly message: string }
  | { readonly kind: 'crash'; readonly pod: string; readonly restarts: number; readonly lastExit: string }
  | { readonly kind: 'config'; readonly pod: string; readonly reason: string; readonly message: string };

const IMAGE_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
const CONFIG_REASONS = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

export function stuckOf(pod: V1Pod): StuckPod | undefined {
  const name = pod.metadata?.name ?? '?';
  for (const status of pod.status?.containerStatuses ?? []) {
    const waiting = status.state?.waiting;
    const reason = waiting?.reason ?? '';
    const message = waiting?.message ?? '';
    if (IMAGE_REASONS.has(reason)) return { kind: 'image', pod: name, reason, message };
    if (CONFIG_REASONS.has(reason)) return { kind: 'config', pod: name, reason, message };
    if (reason === 'CrashLoopBackOff') {
      const last = status.lastState?.terminated;
      const lastExit = last === undefined ? 'unknown' : `exit code ${last.exitCode}${last.reason ? ` (${last.reason})` : ''}${last.message ? `: ${last.message.trim().slice(-500)}` : ''}`;
      return { kind: 'crash', pod: name, restarts: status.restartCount, lastExit };
    }
  }
  return undefined;
}

const MAX_EVENTS = 5;
const eventsText = (events: readonly EventLine[]): string => (events.length === 0 ? 'no events' : events.slice(-MAX_EVENTS).map((event) => event.line).join('; '));

/** Why a stuck pod will not serve, with what the cluster said about it. */
export function stuckReason(stuck: StuckPod, image: string, events: readonly EventLine[]): string {
  const aboutPod = events.filter((event) => event.object.endsWith(`/${stuck.pod}`));
  switch (stuck.kind) {
    case 'image': {
      // The kubelet's "Failed to pull image" event has the registry's answer; the Failed events
      // after it ("Error: ErrImagePull", "Error: ImagePullBackOff") and the waiting message only a summary.
      const failed = [...aboutPod].reverse().filter((event) => event.reason === 'Failed' && event.message !== '');
      const pull = failed.find((event) => event.message.startsWith('Failed to pull image')) ?? failed.find((event) => !event.message.startsWith('Error: '));
      return `image ${image} cannot be pulled: ${pull?.message ?? (stuck.message || stuck.reason)}`;
    }
    case 'crash':
      return `the action's container keeps crashing (CrashLoopBackOff after ${stuck.restarts} restarts, last ${stuck.lastExit}): ${eventsText(aboutPod)}`;
    case 'config':
      return `the action's container cannot be created (${stuck.reason}${stuck.message ? `: ${stuck.message}` : ''}): ${eventsText(aboutPod)}`;
  }
}

export function notReadyReason(timeoutMs: number, events: readonly EventLine[]): string {
  return `the pod did not become ready within ${Math.round(timeoutMs / 1000)} s: ${eventsText(events)}`;
}
