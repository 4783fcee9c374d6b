import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { LocalSettings } from './settings.js';

const run = promisify(execFile);

/*
 * The standard library (issue 19) reaches the repository service as a git repository: the
 * release's actions/ folder committed into `.trellis/standard-library.git` by `trellis-adm up`
 * (and so by `update`, which starts the platform with it). One commit, made from the content
 * alone: fixed author, committer and dates, no parent, so the same folder and version give the
 * same commit id (the service then scans and builds nothing again), and a new Trellis with
 * changed actions gives a new one (the service scans it and builds the changed versions).
 */

export const STANDARD_LIBRARY_REPOSITORY = 'standard-library.git';
const BRANCH = 'main';

/** What a folder of actions/ never carries into the library: installed dependencies, caches, the tests. */
const SKIPPED = new Set(['node_modules', '.git', '__pycache__', '.DS_Store', '.pytest_cache', '.venv']);

/** Where `up` writes the library for an instance whose state is in `stateDir`, and the URL the repository service gets. */
export function standardLibraryLocation(stateDir: string): { repository: string; url: string } {
  const repository = join(stateDir, STANDARD_LIBRARY_REPOSITORY);
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
  if (!existsSync(join(repository, 'HEAD'))) {
    await mkdir(repository, { recursive: true });
    await git(repository, ['init', '--quiet', '--bare', `--initial-branch=${BRANCH}`]);
  }
  const tree = await treeOf(repository, options.actionsDir, files);
  const { stdout } = await git(repository, ['commit-tree', tree, '-m', `Trellis ${options.version} standard library`]);
  const commit = stdout.trim();
  const previous = (await git(repository, ['rev-parse', '--verify', '--quiet', `refs/heads/${BRANCH}`]).catch(() => ({ stdout: '' }))).stdout.trim();
  if (previous !== commit) await git(repository, ['update-ref', `refs/heads/${BRANCH}`, commit]);
  await git(repository, ['symbolic-ref', 'HEAD', `refs/heads/${BRANCH}`]);
  return { commit, changed: previous !== commit, actions };
}

/** The folders of actions/ that are actions: a trellis.yaml at their root (actions/test has none). */
async function actionFolders(actionsDir: string): Promise<string[]> {
  const entries = await readdir(actionsDir, { withFileTypes: true });
  const folders = entries.filter((entry) => entry.isDirectory() && !SKIPPED.has(entry.name)).map((entry) => entry.name);
  return folders.filter((folder) => existsSync(join(actionsDir, folder, 'trellis.yaml'))).sort();
}

type LibraryFile = { readonly path: string; readonly executable: boolean };

/** Regular files under `folder` (relative to `root`, '/'-separated); links and special files are left out. */
async function filesUnder(root: string, folder: string): Promise<LibraryFile[]> {
  const found: LibraryFile[] = [];
  for (const entry of await readdir(join(root, folder), { withFileTypes: true })) {
    if (SKIPPED.has(entry.name) || entry.name.endsWith('.pyc')) continue;
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) found.push(...(await filesUnder(root, path)));
    else if (entry.isFile()) found.push({ path, executable: ((await stat(join(root, path))).mode & 0o111) !== 0 });
  }
  return found;
}

/** Stores the files as blobs and writes their tree through an index of its own (the repository has no work tree). */
async function treeOf(repository: string, root: string, files: readonly LibraryFile[]): Promise<string> {
  const index = join(repository, 'trellis-library.index');
  await rm(index, { force: true });
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

/**
 * `up`'s part: writes the library from the release's actions/ when the repository service is to
 * read it from the default place (not when the operator names another URL, or `off`).
 */
export async function writeStandardLibrary(settings: Pick<LocalSettings, 'root' | 'paths' | 'standardLibraryUrl'>, version: string): Promise<MaterialisedLibrary | undefined> {
  const { repository, url } = standardLibraryLocation(settings.paths.dir);
  const actionsDir = join(settings.root, 'actions');
  if (settings.standardLibraryUrl !== url || !existsSync(actionsDir)) return undefined;
  return materialiseStandardLibrary({ actionsDir, repository, version });
}
