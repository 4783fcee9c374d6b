import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Workspace } from '../../application/ports.js';
import type { Build } from '../../domain/build.js';

/**
 * The folders of one builder process under the work directory, `processes/<owner>/`: one per
 * attempt, removed when the attempt ends, and the process's wrapper bundle. Several processes may
 * share a work directory; a process killed mid-build leaves its folder, removed by the next
 * process that starts there once that process holds no build any more.
 */
export function makeWorkspaces(workDir: string, owner: string) {
  const processes = path.join(workDir, 'processes');
  const own = path.join(processes, owner);
  return {
    own,
    open: async (build: Build): Promise<Workspace> => {
      const dir = path.join(own, 'builds', `${build.id}-${build.attempt}`);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
    },
    /** Removes the folders of every process but this one and `live` (those holding a build under an unexpired lease). */
    sweep: async (live: ReadonlySet<string>): Promise<string[]> => {
      const names = await readdir(processes).catch(() => [] as string[]);
      const stale = names.filter((name) => name !== owner && !live.has(name));
      await Promise.all(stale.map((name) => rm(path.join(processes, name), { recursive: true, force: true })));
      return stale;
    },
  };
}
