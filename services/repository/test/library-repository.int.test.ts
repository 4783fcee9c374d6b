// The standard library's repository as the repository service writes it from a folder
// (TRELLIS_STANDARD_LIBRARY_DIR, issue 19): one commit made from the content alone, read back with
// the system's git as the service's scans read it.
import { execFile } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libraryRepositoryIn, materialiseStandardLibrary } from '../src/infrastructure/git/library-repository.js';

const run = promisify(execFile);
const git = async (gitDir: string, ...args: string[]) =>
  (await run('git', [`--git-dir=${gitDir}`, ...args], { env: { PATH: process.env['PATH'] ?? '', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } })).stdout.trim();
const REAL_ACTIONS = resolve(fileURLToPath(new URL('../../../actions', import.meta.url)));

let root: string;
let actions: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'trellis-stdlib-'));
  actions = join(root, 'actions');
  const files: Record<string, string> = {
    'shout/trellis.yaml': 'id: shout\nversion: 1.0.0\n',
    'shout/handler.js': 'export async function handle() { return {}; }\n',
    'shout/lib/words.js': 'export const words = [];\n',
    'shout/node_modules/dep/index.js': 'installed, never committed\n',
    'whisper/trellis.yaml': 'id: whisper\nversion: 1.0.0\n',
    'whisper/run.sh': '#!/bin/sh\n',
    'whisper/__pycache__/x.pyc': 'cache\n',
    'test/shout.test.ts': 'the tests are not actions\n',
    'notes/README.md': 'a folder without trellis.yaml\n',
  };
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(actions, name, '..'), { recursive: true });
    await writeFile(join(actions, name), content);
  }
  await chmod(join(actions, 'whisper/run.sh'), 0o755);
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('materialiseStandardLibrary', () => {
  it('commits only the action folders, without installed dependencies or caches, executable bits kept', async () => {
    const repository = join(root, 'one', 'standard-library.git');
    const library = await materialiseStandardLibrary({ actionsDir: actions, repository, version: '1.2.3' });
    expect(library).toMatchObject({ changed: true, actions: ['shout', 'whisper'] });
    expect((await git(repository, 'ls-tree', '-r', '--format=%(objectmode) %(path)', 'HEAD')).split('\n')).toEqual([
      '100644 shout/handler.js', '100644 shout/lib/words.js', '100644 shout/trellis.yaml', '100755 whisper/run.sh', '100644 whisper/trellis.yaml',
    ]);
    expect(await git(repository, 'log', '--format=%H|%P|%an <%ae>|%cn <%ce>|%aI|%cI|%s', 'main')).toBe(
      `${library.commit}||Trellis <trellis@localhost>|Trellis <trellis@localhost>|2000-01-01T00:00:00+00:00|2000-01-01T00:00:00+00:00|Trellis 1.2.3 standard library`,
    );
    expect(await git(repository, 'symbolic-ref', 'HEAD')).toBe('refs/heads/main');
  });

  it('gives the same commit for the same content and version, wherever it is written (each replica\'s copy), and says nothing changed', async () => {
    const first = await materialiseStandardLibrary({ actionsDir: actions, repository: join(root, 'a', 'lib.git'), version: '1.2.3' });
    const again = await materialiseStandardLibrary({ actionsDir: actions, repository: join(root, 'a', 'lib.git'), version: '1.2.3' });
    expect(again).toEqual({ ...first, changed: false });
    const copy = join(root, 'copy');
    await cp(actions, copy, { recursive: true });
    const elsewhere = await materialiseStandardLibrary({ actionsDir: copy, repository: join(root, 'b', 'lib.git'), version: '1.2.3' });
    expect(elsewhere.commit).toBe(first.commit);
  });

  it('gives a new commit, the only one on its branch, when an action changes (a new Trellis), which git clones as the service does', async () => {
    const repository = join(root, 'c', 'lib.git');
    const before = await materialiseStandardLibrary({ actionsDir: actions, repository, version: '1.2.3' });
    const changed = join(root, 'changed');
    await cp(actions, changed, { recursive: true });
    await writeFile(join(changed, 'whisper/trellis.yaml'), 'id: whisper\nversion: 1.1.0\n');
    const after = await materialiseStandardLibrary({ actionsDir: changed, repository, version: '1.3.0' });
    expect(after).toMatchObject({ changed: true });
    expect(after.commit).not.toBe(before.commit);
    expect(await git(repository, 'rev-list', '--count', 'main')).toBe('1');
    const clone = join(root, 'clone');
    await run('git', ['clone', '--quiet', '--depth', '1', '--', pathToFileURL(repository).href, clone]);
    expect(await git(join(clone, '.git'), 'rev-parse', 'HEAD')).toBe(after.commit);
    expect(await git(join(clone, '.git'), 'show', 'HEAD:whisper/trellis.yaml')).toContain('version: 1.1.0');
  });

  it('writes two copies at once into one folder (two processes sharing a work folder) to the same commit', async () => {
    const repository = join(root, 'd', 'lib.git');
    const [one, two] = await Promise.all([1, 2].map(() => materialiseStandardLibrary({ actionsDir: actions, repository, version: '1.2.3' })));
    expect(one?.commit).toBe(two?.commit);
    expect(await git(repository, 'rev-parse', 'main')).toBe(one?.commit);
  });

  it('writes Trellis\'s real actions/ folder: every folder with a trellis.yaml, never actions/test, nothing installed', async () => {
    const { repository } = libraryRepositoryIn(join(root, 'work'));
    const library = await materialiseStandardLibrary({ actionsDir: REAL_ACTIONS, repository, version: '0.0.0-test' });
    expect(library.actions.length).toBeGreaterThan(10);
    const paths = (await git(repository, 'ls-tree', '-r', '--name-only', 'HEAD')).split('\n');
    for (const id of library.actions) expect(paths).toContain(`${id}/trellis.yaml`);
    expect(paths.filter((path) => path.startsWith('test/') || path.startsWith('shared/') || path.includes('node_modules/'))).toEqual([]);
  });
});
