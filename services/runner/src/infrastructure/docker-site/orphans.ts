import type Docker from 'dockerode';
import { LABEL, type Owner } from './labels.js';

/** The ids of the runner processes alive now (a heartbeat within their lease, not stopped). */
export type LiveRunners = () => Promise<ReadonlySet<string>>;

/**
 * Removes the instance's containers that no live runner owns: stopped ones, and those whose
 * runner process is not alive (an earlier life of this runner, a replica that died). Containers
 * of a live runner (two runners on one engine) are left alone. Returns how many were removed.
 */
export async function removeOrphans(docker: Docker, owner: Owner, liveRunners: LiveRunners): Promise<number> {
  const found = await docker.listContainers({ all: true, filters: { label: [`${LABEL.instance}=${owner.instance}`] } });
  const live = await liveRunners();
  const orphans = found.filter((container) => {
    const runner = container.Labels[LABEL.runner] ?? '';
    if (runner === owner.runnerId) return false;
    return container.State === 'exited' || container.State === 'dead' || !live.has(runner);
  });
  await Promise.all(orphans.map((container) => docker.getContainer(container.Id).remove({ force: true, v: true }).catch(() => undefined)));
  return orphans.length;
}
