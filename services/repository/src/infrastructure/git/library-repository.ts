import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/*
 * The standard library (issue 19) given as a folder (TRELLIS_STANDARD_LIBRARY_DIR: the release's
 * actions/, in the image at /app/actions) is committed by the repository service at start into a
 * bare repository of its own, in its work folder, and read from there like any source. One
 * commit, made from the content alone: fixed author, committer and dates, no parent. So the same
 * folder and version give the same commit id, wherever and by whomever it is written: replicas
 * (each writing its own copy in its own work folder) agree on the commit, and a restart scans and
 * builds nothing again; a new Trellis with changed actions gives a new commit, which the service
 * scans, building the changed versions.
 */

/** The repository's folder name in the service's work folder. */
export const LIBRARY_REPOSITORY = 'trellis-standard-library.git';
const BRANCH = 'main';

/** What a folder of actions/ never carries into the library: installed dependencies, caches. */
const SKIPPED = new Set(['node_modules', '.git', '__pycache__', '.DS_Store', '.pytest_cache', '.venv']);

/** Where the service writes the library in its work folder, and the URL its managed sources point at. */
export function libraryRepositoryIn(workDir: string): { repository: string; url: string } {
  const repository = join(workDir, LIBRARY_REPOSITORY);
  return { repository, url: pathToFileURL(repository).href };
}

export type MaterialisedLibrary = {
  readonly commit: string;
  /** False when the repository already held this very commit. */
  readonly changed: boolean;
  /** The action folders committed (those with a trellis.yaml), sorted. */
  readonly actions: readonly string[];
};

/** Commits the action folders of `actionsDir` into the bare repository `repository` (made when missing) as its only branch. */
export async function materialiseStandardLibrary(options: { actionsDir: string; repository: string; version: string }): Promise<MaterialisedLibrary> {
  const { repository } = options;
  const actions = await actionFolders(options.actionsDir);
  const files = (await Promise.all(actions.map((folder) => filesUnder(options.actionsDir, folder)))).flat();
  await ensureBareRepository(repository);
  const tree = await treeOf(repository, options.actionsDir, files);
  const { stdout } = await git(repository, ['commit-tree', tree, '-m', `Trellis ${options.version} standard library`]);
  const commit = stdout.trim();
  const previous = await branchHead(repository);
  if (previous !== commit) await pointBranchAt(repository, commit);
  await git(repository, ['symbolic-ref', 'HEAD', `refs/heads/${BRANCH}`]);
  return { commit, changed: previous !== commit, actions };
}

/**
 * Makes the bare repository when missing: made aside, then renamed into place, so that two
 * processes sharing a work folder never init the same one at once (git's config lock refused the
 * second); the one whose rename loses takes the other's.
 */
async function ensureBareRepository(repository: string): Promise<void> {
  if (existsSync(join(repository, 'HEAD'))) return;
  await mkdir(dirname(repository), { recursive: true });
  const made = await mkdtemp(`${repository}.init-`);
  try {
    await git(made, ['init', '--quiet', '--bare', `--initial-branch=${BRANCH}`]);
    await rename(made, repository);
  } catch (error) {
    await rm(made, { recursive: true, force: true });
    if (!existsSync(join(repository, 'HEAD'))) throw error;
  }
}

async function branchHead(repository: string): Promise<string> {
  return (await git(repository, ['rev-parse', '--verify', '--quiet', `refs/heads/${BRANCH}`]).catch(() => ({ stdout: '' }))).stdout.trim();
}

/** Moves the branch; another process moving it to the same commit at the same moment (its lock refused ours) is as good. */
async function pointBranchAt(repository: string, commit: string): Promise<void> {
  try {
    await git(repository, ['update-ref', `refs/heads/${BRANCH}`, commit]);
  } catch (error) {
    if ((await branchHead(repository)) !== commit) throw error;
  }
}

/**
 * The folders of actions/ that are actions: a trellis.yaml at their root (actions/test and actions/shared have none).
 * Exported with filesUnder for scripts/standard-library-versions.mjs, which records each action's
 * content as the library carries it.
 */
export async function actionFolders(actionsDir: string): Promise<string[]> {
  const entries = await readdir(actionsDir, { withFileTypes: true });
  const folders = entries.filter((entry) => entry.isDirectory() && !SKIPPED.has(entry.name)).map((entry) => entry.name);
  return folders.filter((folder) => existsSync(join(actionsDir, folder, 'trellis.yaml'))).sort();
}

export type LibraryFile = { readonly path: string; readonly executable: boolean };

/** Regular files under `folder` (relative to `root`, '/'-separated); links and special files are left out. */
export async function filesUnder(root: string, folder: string): Promise<LibraryFile[]> {
  const found: LibraryFile[] = [];
  for (const entry of await readdir(join(root, folder), { withFileTypes: true })) {
    if (SKIPPED.has(entry.name) || entry.name.endsWith('.pyc')) continue;
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) found.push(...(await filesUnder(root, path)));
    else if (entry.isFile()) found.push({ path, executable: ((await stat(join(root, path))).mode & 0o111) !== 0 });
  }
  return found;
}

/**
 * Stores the files as blobs and writes their tree through an index of its own (the repository
 * has no work tree), named for this call: two processes writing one folder do not share it.
 */
async function treeOf(repository: string, root: string, files: readonly LibraryFile[]): Promise<string> {
  const index = join(repository, `trellis-library-${randomUUID()}.index`);
  try {
    const hashed = await git(repository, ['hash-object', '-w', '--no-filters', '--stdin-paths'], files.map((file) => join(root, file.path)).join('\n'));
    const ids = hashed.stdout.trim().split('\n').filter(Boolean);
    if (ids.length !== files.length) throw new Error(`git hash-object answered ${ids.length} ids for ${files.length} files`);
    const lines = files.map((file, i) => `${file.executable ? '100755' : '100644'} ${ids[i]}\t${file.path}\n`).join('');
    await git(repository, ['update-index', '--add', '--index-info'], lines, { GIT_INDEX_FILE: index });
    return (await git(repository, ['write-tree'], undefined, { GIT_INDEX_FILE: index })).stdout.trim();
  } finally {
    await rm(index, { force: true });
  }
}

/** git on the library's repository with nothing of the machine's configuration and a fixed identity and time. */
async function git(repository: string, args: readonly string[], input?: string, extraEnv: Record<string, string> = {}): Promise<{ stdout: string }> {
  const env = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin', LC_ALL: 'C', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_DIR: repository,
    GIT_AUTHOR_NAME: 'Trellis', GIT_AUTHOR_EMAIL: 'trellis@localhost', GIT_AUTHOR_DATE: '946684800 +0000',
    GIT_COMMITTER_NAME: 'Trellis', GIT_COMMITTER_EMAIL: 'trellis@localhost', GIT_COMMITTER_DATE: '946684800 +0000',
    ...extraEnv,
  };
  const child = run('git', [...args], { env, maxBuffer: 64 * 1024 * 1024 });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  return child;
}
