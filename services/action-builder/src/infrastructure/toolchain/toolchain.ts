import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { UnpackLimits } from '@trellis/platform/archive';
import type { ObjectStore } from '@trellis/platform/object-store';
import type { Toolchain } from '../../application/ports.js';
import { makeBuildEnv } from './build-env.js';
import { loadAction } from './manifest.js';
import { installNodeDependencies } from './npm.js';
import { installPythonDependencies } from './pip.js';
import { seal } from './seal.js';
import { fetchSource, layout } from './source.js';
import { makeWrapperBundle, type WrapperBundle } from './wrapper-bundle.js';
import { makeWorkspaces } from './workspace.js';

export type ToolchainSettings = {
  workDir: string;
  /** This process (its lease owner id): its folders are its own. */
  owner: string;
  python: string;
  npmRegistry: string | undefined;
  pipIndexUrl: string | undefined;
  pipFindLinks: string | undefined;
  unpackLimits: UnpackLimits;
};

/** The real steps of a build: the object store, the archive checks, @trellis/action-manifest, npm, pip, and the bundled wrapper. */
export function makeToolchain(store: ObjectStore, settings: ToolchainSettings): Toolchain & { sweep: (live: ReadonlySet<string>) => Promise<string[]> } {
  const workspaces = makeWorkspaces(settings.workDir, settings.owner);
  const cacheDir = path.join(settings.workDir, 'cache');
  let wrapper: Promise<WrapperBundle> | undefined;
  let env: Promise<Record<string, string>> | undefined;
  const wrapperBundle = () => {
    wrapper ??= makeWrapperBundle(path.join(workspaces.own, 'wrapper')).catch((error: unknown) => {
      wrapper = undefined; // tried again by the next build
      throw error;
    });
    return wrapper;
  };
  const buildEnv = () => (env ??= makeBuildEnv(cacheDir));
  return {
    sweep: workspaces.sweep,
    workspace: workspaces.open,
    fetchSource: (build, workspace, context) => fetchSource(store, settings.unpackLimits, build, workspace, context),
    loadAction: (folder, context) => loadAction(folder, context, settings.python),
    installDependencies: async (action, folder, workspace, context) => {
      if (action.description.runtime === 'nodejs') return installNodeDependencies(folder, { registry: settings.npmRegistry, env: await buildEnv() }, context);
      const { scratch } = layout(workspace);
      await mkdir(scratch, { recursive: true });
      return installPythonDependencies(folder, scratch, { python: settings.python, indexUrl: settings.pipIndexUrl, findLinks: settings.pipFindLinks, env: await buildEnv() }, context);
    },
    seal: async (action, folder, workspace, context) => {
      context.log.write('[builder] adding the wrapper and packing the artifact');
      return seal(action, folder, workspace, await wrapperBundle());
    },
  };
}
