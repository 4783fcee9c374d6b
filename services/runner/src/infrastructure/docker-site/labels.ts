import { createHash } from 'node:crypto';
import type { ActionVersionRef } from '../../application/site.js';

/** Labels that identify what a container is, so a runner finds its own and its dead peers' (docs/docker-site.md). */
export const LABEL = {
  instance: 'dev.trellis.instance',
  project: 'dev.trellis.project',
  action: 'dev.trellis.action',
  version: 'dev.trellis.action-version',
  digest: 'dev.trellis.artifact-digest',
  runner: 'dev.trellis.runner',
  runnerHost: 'dev.trellis.runner-host',
  runnerPid: 'dev.trellis.runner-pid',
} as const;

export type Owner = { readonly instance: string; readonly runnerId: string; readonly host: string; readonly pid: number };


export function containerLabels(owner: Owner, action: ActionVersionRef): Record<string, string> {
  return {
    [LABEL.instance]: owner.instance, [LABEL.project]: action.projectId, [LABEL.action]: action.actionId, [LABEL.version]: action.version,
    [LABEL.digest]: action.digest, [LABEL.runner]: owner.runnerId, [LABEL.runnerHost]: owner.host, [LABEL.runnerPid]: String(owner.pid),
  };
}

/** A container name Docker takes ([a-zA-Z0-9][a-zA-Z0-9_.-]*), readable in `docker ps`, unique per start. */
export function containerName(instance: string, action: ActionVersionRef, serial: number): string {
  const safe = (text: string) => text.replace(/[^a-zA-Z0-9_.-]+/g, '-').slice(0, 40);
  const unique = createHash('sha256').update(`${action.projectId}/${action.digest}/${process.pid}/${Date.now()}/${serial}`).digest('hex').slice(0, 10);
  return `trellis-${safe(instance)}-${safe(action.actionId)}-${unique}`;
}
