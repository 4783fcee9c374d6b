import { execFile } from 'node:child_process';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeTestRepository, type TestRepository } from '../../../services/repository/test/git-fixtures.js';
import { DEEP_YAML, MANIFEST_BOMB } from './fixtures.js';

/* Git repositories an attacker points a source at. Each is refused or reported by the scan, never followed. */

const run = promisify(execFile);
const GIT_IDENTITY = { GIT_AUTHOR_NAME: 'Mallory', GIT_AUTHOR_EMAIL: 'm@example.com', GIT_COMMITTER_NAME: 'Mallory', GIT_COMMITTER_EMAIL: 'm@example.com' };

const manifest = (id: string, extra: string[] = []) => [
  'apiVersion: trellis.dev/v1', 'kind: Processor', `id: ${id}`, 'version: 1.0.0', `name: ${id}`, 'description: Hostile.', 'runtime: nodejs', 'handler: handler.js',
  ...extra, 'inputs: []', 'outputs: []', '',
].join('\n');

/** What a file outside the checkout holds: none of it may reach an answer. */
export const OUTSIDE_MARKERS = ['root:x:0:0', 'TRELLIS_SECRET_KEY', 'TRELLIS_DATABASE_URL'];

/**
 * YAML bombs as manifests, and links out of the checkout: a manifest, a handler and a logo that
 * point at /etc/passwd, at the service's own environment, and up through `..`.
 */
export async function linksAndBombs(): Promise<TestRepository> {
  const repo = await makeTestRepository();
  const work = await repo.git('rev-parse', '--show-toplevel');
  const files: Record<string, string> = {
    'actions/bomb/trellis.yaml': MANIFEST_BOMB,
    'actions/deep/trellis.yaml': DEEP_YAML.replace('kind: Workflow', 'kind: Processor'),
    'actions/link-handler/trellis.yaml': manifest('link-handler'),
    'actions/link-logo/trellis.yaml': manifest('link-logo', ['logo: logo.png']),
    'actions/link-logo/handler.js': 'export function handle() { return {}; }\n',
  };
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(work, name)), { recursive: true });
    await writeFile(path.join(work, name), content);
  }
  await mkdir(path.join(work, 'actions/link-manifest'), { recursive: true });
  await symlink('/etc/passwd', path.join(work, 'actions/link-manifest/trellis.yaml'));
  await writeFile(path.join(work, 'actions/link-manifest/handler.js'), 'export function handle() { return {}; }\n');
  await symlink('../../../../../../../../etc/passwd', path.join(work, 'actions/link-handler/handler.js'));
  await symlink('/proc/self/environ', path.join(work, 'actions/link-logo/logo.png'));
  await repo.commit({}, 'links and bombs');
  return repo;
}

/** A commit whose tree names `actions/../evil.txt` (git's plumbing takes it; a checkout must not). */
export async function dotDotEntry(): Promise<TestRepository> {
  const repo = await makeTestRepository();
  const git = async (input: string, ...args: string[]) => {
    const child = run('git', args, { cwd: await repo.git('rev-parse', '--show-toplevel'), env: { ...process.env, ...GIT_IDENTITY } });
    child.child.stdin?.end(input);
    return (await child).stdout.trim();
  };
  const blob = await git('planted outside\n', 'hash-object', '-w', '--stdin');
  const inner = await git(`100644 blob ${blob}\tevil.txt\n`, 'mktree');
  const up = await git(`040000 tree ${inner}\t..\n`, 'mktree');
  const root = await git(`040000 tree ${up}\tactions\n`, 'mktree');
  const commit = await git('', 'commit-tree', root, '-m', 'up and out');
  await repo.git('push', '-q', 'origin', `${commit}:refs/heads/main`);
  return repo;
}

/** A file of zeros larger than the scan's limit (256 MiB by default): git stores it compressed to a few hundred KB. */
export async function zeroBomb(megabytes: number): Promise<TestRepository> {
  const repo = await makeTestRepository();
  const work = await repo.git('rev-parse', '--show-toplevel');
  await mkdir(path.join(work, 'actions/bomb'), { recursive: true });
  await writeFile(path.join(work, 'actions/bomb/trellis.yaml'), manifest('zero-bomb'));
  await run('bash', ['-c', `head -c ${megabytes}M /dev/zero > actions/bomb/zeros.bin`], { cwd: work });
  await repo.commit({}, 'zeros');
  await rm(path.join(work, 'actions/bomb/zeros.bin'));
  return repo;
}
