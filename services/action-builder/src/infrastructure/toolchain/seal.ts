import { createHash } from 'node:crypto';
import { cp, lstat, readdir, readlink, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { packDeterministic, sha256OfFile } from '@trellis/platform/archive';
import type { LoadedAction, SealedArtifact, Workspace } from '../../application/ports.js';
import { PYTHON_LOCK, PYTHON_PACKAGES } from './pip.js';
import { layout } from './source.js';
import type { WrapperBundle } from './wrapper-bundle.js';

export const ARTIFACT_MANIFEST = 'trellis-artifact.json';

/**
 * The SHA-256 of a folder's content: every file's digest, executable bit and path, every link's
 * target, in name order. The same files give the same digest wherever they are.
 */
export async function treeDigest(root: string): Promise<{ sha256: string; files: number }> {
  const hash = createHash('sha256');
  let files = 0;
  const walk = async (relative: string): Promise<void> => {
    const entries = (await readdir(path.join(root, relative))).sort();
    for (const name of entries) {
      const entry = path.posix.join(relative, name);
      const full = path.join(root, entry);
      const info = await lstat(full);
      if (info.isSymbolicLink()) hash.update(`link ${await readlink(full)} ${entry}\n`);
      else if (info.isDirectory()) await walk(entry);
      else if (info.isFile()) {
        files += 1;
        hash.update(`file ${info.mode & 0o111 ? 'x' : '-'} ${await sha256OfFile(full)} ${entry}\n`);
      }
    }
  };
  await walk('');
  return { sha256: hash.digest('hex'), files };
}

const lockOf = (action: LoadedAction, hasPackageJson: boolean): string | null =>
  action.description.runtime === 'python' ? PYTHON_LOCK : hasPackageJson ? 'package-lock.json' : null;

/**
 * Adds the wrapper and trellis-artifact.json beside the action folder, and packs the three into
 * one tar.gz with packDeterministic. Nothing that differs between two builds of the same source
 * and lock (times, ids, paths) is written, so they give the same digest.
 */
export async function seal(action: LoadedAction, folder: string, workspace: Workspace, wrapper: WrapperBundle): Promise<SealedArtifact> {
  const where = layout(workspace);
  await cp(wrapper.dir, where.wrapper, { recursive: true });
  const hasPackageJson = await stat(path.join(folder, 'package.json')).then(() => true, () => false);
  const hasPythonPackages = await stat(path.join(folder, PYTHON_PACKAGES)).then(() => true, () => false);
  const [actionPart, wrapperPart] = await Promise.all([treeDigest(where.action), treeDigest(where.wrapper)]);
  const manifest = {
    artifact: 1,
    run: { command: ['node', 'wrapper/cli.js', 'action'], cwd: '.' },
    runtime: action.description.runtime,
    format: action.description.format,
    lock: lockOf(action, hasPackageJson),
    python_path: hasPythonPackages ? `action/${PYTHON_PACKAGES}` : null,
    parts: {
      action: { path: 'action', sha256: actionPart.sha256, files: actionPart.files },
      wrapper: { path: 'wrapper', version: wrapper.version, sha256: wrapperPart.sha256, files: wrapperPart.files },
    },
    definition: action.definition,
  };
  await writeFile(path.join(where.artifactRoot, ARTIFACT_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  await packDeterministic(where.artifactRoot, where.artifactArchive);
  const [digest, info] = await Promise.all([sha256OfFile(where.artifactArchive), stat(where.artifactArchive)]);
  return { file: where.artifactArchive, digest, size: info.size };
}
