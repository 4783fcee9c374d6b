// `trellis repo ...` and `trellis action ...` against a real instance: a git repository made here
// with two actions without dependencies (examples/echo and add-one) and a broken manifest, and a
// second one whose Node action needs a package the builder's npm registry (a fake one, empty)
// does not have, so its build fails. Add, list, show, scan --wait, build --wait with its progress
// and a failed build's log, delete; the library's list, search and show; not found is exit 3.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeAction } from '../../services/action-builder/test/fixtures/actions.js';
import { startFakeRegistry, type FakeRegistry } from '../../services/action-builder/test/fixtures/npm-registry.js';
import { makeTestRepository, UNKNOWN_FIELD, type TestRepository } from '../../services/repository/test/git-fixtures.js';
import { eventually } from '../../test/e2e/harness.js';
import { startCliInstance, type CliInstance } from './instance.js';

let cli: CliInstance;
let registry: FakeRegistry;
let actions: TestRepository;
let failing: TestRepository;
let scratch: string;

const prefixed = (folder: string, files: Readonly<Record<string, string>>) => Object.fromEntries(Object.entries(files).map(([name, content]) => [`${folder}/${name}`, content]));
const lines = (text: string) => text.trimEnd().split('\n');

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'trellis-cli-repo-'));
  registry = await startFakeRegistry({});
  [cli, actions, failing] = await Promise.all([
    // A work directory of its own: a builder starting elsewhere (another test's instance, with
    // another database) sweeps the folders of builders it does not know, ours mid-build included.
    startCliInstance({ overrides: (name): Record<string, string> => (name === 'action-builder' ? { TRELLIS_NPM_REGISTRY: registry.url, TRELLIS_BUILD_PARALLELISM: '2' } : {}) }),
    makeTestRepository(),
    makeTestRepository(),
  ]);
  await actions.copyExample('echo', 'actions/echo');
  await actions.copyExample('add-one', 'actions/add-one');
  await actions.commit(prefixed('broken/field', UNKNOWN_FIELD), 'two actions and a broken one');
  await failing.commit(prefixed('needs-missing', nodeAction('no-such-package', 'needs-missing')), 'an action whose dependency does not exist');
  await cli.loginToNewProject('cli-repo');
}, 120_000);

afterAll(async () => {
  await cli?.stop();
  await Promise.all([actions?.close(), failing?.close(), registry?.close()]);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('trellis repo', () => {
  it('adds a repository (--json is the API\'s source) and keeps credentials write-only', async () => {
    const added = await cli.trellis(['repo', 'add', 'actions', actions.fileUrl, '--json']);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ name: 'actions', url: actions.fileUrl, branch: null, has_credentials: false, id: expect.any(String) });

    const withCredentials = await cli.trellis(['repo', 'add', 'private', 'https://git.example.com/team/actions.git', '--branch', 'dev', '--username', 'robot', '--password-stdin'], { stdin: 's3cret-token\n' });
    expect(withCredentials.code).toBe(0);
    expect(withCredentials.stdout).toContain('Added repository private');
    expect(withCredentials.stdout).toContain('with credentials');
    const listed = await cli.trellis(['repo', 'list', '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ name: 'actions', last_scan: null }),
      expect.objectContaining({ name: 'private', branch: 'dev', username: 'robot', has_credentials: true }),
    ]);
    expect(listed.stdout).not.toContain('s3cret-token');
    const human = await cli.trellis(['repo', 'list']);
    expect(human.stdout).toMatch(/^NAME\s+URL\s+BRANCH\s+LAST SCAN/);
    expect(human.stdout).toMatch(/private\s+https:\/\/git\.example\.com\/team\/actions\.git\s+dev\s+never/);

    const duplicate = await cli.trellis(['repo', 'add', 'actions', actions.fileUrl]);
    expect(duplicate.code).toBe(1);
    expect(lines(duplicate.stderr)).toHaveLength(1);
    expect(duplicate.stderr).toMatch(/^trellis: source_name_taken: /);
  });

  it('scans with --wait: the actions found and each problem as file:line:col code message', async () => {
    const scan = await cli.trellis(['repo', 'scan', 'actions', '--wait']);
    expect(scan.code).toBe(0);
    expect(scan.stderr).toMatch(/^scan (queued|running)/m);
    expect(scan.stderr).toMatch(/^scan done \([0-9a-f]{12}\)$/m);
    expect(scan.stdout).toMatch(/Scan done of main at [0-9a-f]{12}/);
    expect(scan.stdout).toMatch(/^add-one\s+1\.0\.0\s+Processor\s+nodejs\s+actions\/add-one\s+new\s+not built$/m);
    expect(scan.stdout).toMatch(/^echo\s+1\.0\.0\s+Processor\s+nodejs\s+actions\/echo\s+new\s+not built$/m);
    expect(scan.stdout).toMatch(/^broken\/field\/trellis\.yaml:5:\d+ unknown_field \S.*$/m);

    const again = await cli.trellis(['repo', 'scan', 'actions', '--wait', '--json']);
    expect(again.code).toBe(0);
    const detail = JSON.parse(again.stdout);
    expect(detail).toMatchObject({ status: 'done', commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(detail.actions.map((action: { id: string; change: string }) => `${action.id} ${action.change}`).sort()).toEqual(['add-one unchanged', 'echo unchanged']);
    expect(detail.problems).toEqual([expect.objectContaining({ file: 'broken/field/trellis.yaml', line: 5, code: 'unknown_field' })]);
  }, 60_000);

  it('shows a repository with its last scan, and its JSON', async () => {
    const shown = await cli.trellis(['repo', 'show', 'actions']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^name:\s+actions$/m);
    expect(shown.stdout).toContain(actions.fileUrl);
    expect(shown.stdout).toMatch(/^echo\s+1\.0\.0/m);
    expect(shown.stdout).toMatch(/^broken\/field\/trellis\.yaml:5:\d+ unknown_field /m);
    const json = JSON.parse((await cli.trellis(['repo', 'show', 'actions', '--json'])).stdout);
    expect(json).toMatchObject({ name: 'actions', last_scan: { status: 'done', problems: [{ line: 5 }] } });
  });

  it('builds with --wait: a progress line per action, then each build', async () => {
    const build = await cli.trellis(['repo', 'build', 'actions', '--wait'], { timeoutMs: 120_000 });
    expect(build.code, `${build.stdout}${build.stderr}`).toBe(0);
    for (const action of ['echo', 'add-one']) {
      expect(build.stderr).toMatch(new RegExp(`^${action}@1\\.0\\.0: (requested|queued|running) \\(`, 'm'));
      expect(build.stderr).toMatch(new RegExp(`^${action}@1\\.0\\.0: succeeded \\(`, 'm'));
      expect(build.stdout).toMatch(new RegExp(`^${action}\\s+1\\.0\\.0\\s+succeeded\\s+\\S+( ms| s)\\s+[0-9a-f]{12}$`, 'm'));
    }
    // The repository hears of each build's end from the builder, a moment later.
    const statuses = async () => JSON.parse((await cli.trellis(['repo', 'show', 'actions', '--json'])).stdout).last_scan.actions.map((action: { build: { status: string } | null }) => action.build?.status);
    expect(await eventually(statuses, (seen) => seen.every((status: string) => status === 'built'))).toEqual(['built', 'built']);
  }, 130_000);

  it('fails a build with --wait: prints the build log and exits 1 (the JSON stays on stdout)', async () => {
    expect((await cli.trellis(['repo', 'add', 'failing', failing.fileUrl])).code).toBe(0);
    expect((await cli.trellis(['repo', 'scan', 'failing', '--wait'])).code).toBe(0);
    const build = await cli.trellis(['repo', 'build', 'failing', '--wait', '--json'], { timeoutMs: 120_000 });
    expect(build.code).toBe(1);
    expect(JSON.parse(build.stdout)).toEqual([expect.objectContaining({ state: 'failed', action: { id: 'needs-missing', version: '1.0.0' }, failure_reason: expect.any(String) })]);
    expect(build.stderr).toMatch(/^needs-missing@1\.0\.0: failed \(/m);
    expect(build.stderr).toContain('--- build log (');
    expect(build.stderr).toContain('no-such-package');
    expect(build.stderr).toContain('--- end of build log ---');
    expect(lines(build.stderr).at(-1)).toMatch(/^trellis: build_failed: 1 of 1 builds did not succeed: needs-missing@1\.0\.0 failed \(fix the action/);
  }, 130_000);

  it('exits 1 when the scan itself fails', async () => {
    expect((await cli.trellis(['repo', 'add', 'gone', `file://${path.join(scratch, 'no-such-repository.git')}`])).code).toBe(0);
    const scan = await cli.trellis(['repo', 'scan', 'gone', '--wait']);
    expect(scan.code).toBe(1);
    expect(scan.stdout).toMatch(/^Scan failed: /);
    expect(lines(scan.stderr).at(-1)).toMatch(/^trellis: scan_failed: the scan failed: /);
  }, 60_000);

  it('deletes by name; a name not there is exit 3 in one line saying where to look', async () => {
    const deleted = await cli.trellis(['repo', 'delete', 'private']);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain('Deleted repository private');
    const names = JSON.parse((await cli.trellis(['repo', 'list', '--json'])).stdout).map((source: { name: string }) => source.name);
    expect(names).toEqual(['actions', 'failing', 'gone']);
    for (const args of [['repo', 'delete', 'private'], ['repo', 'show', 'nope'], ['repo', 'scan', 'nope', '--wait'], ['repo', 'build', 'nope']]) {
      const missing = await cli.trellis(args);
      expect(missing.code, args.join(' ')).toBe(3);
      expect(lines(missing.stderr)).toHaveLength(1);
      expect(missing.stderr.trimEnd()).toMatch(/^trellis: source_not_found: no repository "\w+" in this project \(list them with `trellis repo list`\)$/);
    }
  });
});

describe('trellis action', () => {
  it('lists the library, and searches it', async () => {
    // The library hears of each build from the builder, a moment after it ends.
    const listed = await eventually(() => cli.trellis(['action', 'list', '--json']), (result) => JSON.parse(result.stdout).length === 2);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).map((action: { id: string }) => action.id).sort()).toEqual(['add-one', 'echo']);
    const searched = await cli.trellis(['action', 'list', '--search', 'add', '--json']);
    expect(JSON.parse(searched.stdout).map((action: { id: string }) => action.id)).toEqual(['add-one']);
    const human = await cli.trellis(['action', 'list', '--search', 'ECHO']);
    expect(human.stdout).toMatch(/^ID\s+VERSION\s+KIND\s+NAME/);
    expect(human.stdout).toMatch(/^echo\s+1\.0\.0\s+Processor\s+Echo\s+nodejs\s+examples\s/m);
    expect(human.stdout).not.toContain('add-one');
  });

  it('shows an action by id or name, its versions, inputs and outputs; @VERSION that version', async () => {
    const shown = await cli.trellis(['action', 'show', 'echo']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^name:\s+Echo$/m);
    expect(shown.stdout).toMatch(/^Inputs\nNAME\s+TYPE\s+USE\s+DEFAULT\s+HELP\ntext\s+string\s+required\s+-\s+What to say back$/m);
    expect(shown.stdout).toMatch(/^Outputs\nNAME\s+TYPE\s+USE\s+DEFAULT\s+HELP\ntext\s+string\s+required\s+-\s+The same text$/m);
    expect(shown.stdout).toMatch(/^Versions \(1\)\nVERSION\s+BUILT\s+DIGEST\s+COMMIT\n1\.0\.0\s/m);

    const byName = JSON.parse((await cli.trellis(['action', 'show', 'Add one', '--json'])).stdout);
    expect(byName).toMatchObject({ id: 'add-one', name: 'Add one', versions: [{ version: '1.0.0' }], inputs: [{ name: 'n', type: 'integer' }] });
    const version = JSON.parse((await cli.trellis(['action', 'show', 'echo@1.0.0', '--json'])).stdout);
    expect(version).toMatchObject({ id: 'echo', version: '1.0.0', outputs: [{ name: 'text', type: 'string', help: 'The same text' }] });
    expect(version).not.toHaveProperty('versions');
  });

  it('says an unknown action or version is not there: exit 3, one line', async () => {
    const missing = await cli.trellis(['action', 'show', 'needs-missing']);
    expect(missing.code).toBe(3);
    expect(lines(missing.stderr)).toHaveLength(1);
    expect(missing.stderr).toMatch(/^trellis: action_not_found: no action "needs-missing" in the library \(list them with `trellis action list`/);
    const version = await cli.trellis(['action', 'show', 'echo@9.9.9']);
    expect(version.code).toBe(3);
    expect(lines(version.stderr)).toEqual(['trellis: action_version_not_found: the action echo has no version 9.9.9 (its versions: `trellis action show echo`)']);
  });
});
