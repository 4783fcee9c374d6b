// `trellis workflow ...` and `trellis run ...` against a real instance: a git repository made
// here with a Node action that prints a line, sleeps and prints another (and leaves a file),
// the echo and flaky examples, built through the API; then YAML files imported (good, broken,
// unreadable), validated with located problems, listed, shown, exported, deployed with --wait;
// runs started with --wait, listed, shown as a tree, their logs read and followed live,
// canceled, re-run from where they failed, their outputs downloaded; undeploy; not found is 3.
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestRepository, type TestRepository } from '../../services/repository/test/git-fixtures.js';
import { eventually } from '../../test/e2e/harness.js';
import { ADMIN_PASSWORD, startCliInstance, type CliInstance } from './instance.js';

let cli: CliInstance;
let actions: TestRepository;
let token = '';

const lines = (text: string) => text.trimEnd().split('\n');
const file = (name: string) => path.join(cli.scratch, name);
const api = (method: string, route: string, json?: unknown) => cli.behind.api(method, route, { token, ...(json === undefined ? {} : { json }) });

/** Prints a line, waits `pause` seconds, prints another; its text upper-cased as a value and as a file. */
const TALK = {
  'actions/talk/trellis.yaml': [
    'apiVersion: trellis.dev/v1', 'kind: Processor', 'id: talk', 'version: 1.0.0', 'name: Talk', 'description: Says something, waits, says more.',
    'runtime: nodejs', 'handler: handler.js',
    'inputs:', '  - { name: text, type: string, help: What to say }', '  - { name: pause, type: float, default: 0, help: Seconds between the two lines }',
    'outputs:', '  - { name: text, type: string, help: Upper-cased }', '  - { name: note, type: file, help: The text in a file }',
    'resources: { cpu: 0.1, memory: 64Mi, timeout: 60s }', '',
  ].join('\n'),
  'actions/talk/handler.js': [
    "import { writeFile } from 'node:fs/promises';", "import { join } from 'node:path';", '',
    'export async function handle({ text, pause }, context) {',
    '  console.log(`first line: ${text}`);',
    '  console.error(`a warning about ${text}`);',
    '  await new Promise((resolve) => setTimeout(resolve, pause * 1000));',
    "  console.log('second line');",
    "  const note = join(context.workdir, 'note.txt');",
    '  await writeFile(note, `${text.toUpperCase()}\\n`);',
    '  return { text: text.toUpperCase(), note };',
    '}', '',
  ].join('\n'),
  'actions/talk/package.json': '{ "name": "talk", "private": true, "type": "module" }\n',
  // Reads a file input (a local path by the time the handler runs): its first line and size.
  'actions/peek/trellis.yaml': [
    'apiVersion: trellis.dev/v1', 'kind: Processor', 'id: peek', 'version: 1.0.0', 'name: Peek', 'description: The first line of a file and its size.',
    'runtime: nodejs', 'handler: handler.js',
    'inputs:', '  - { name: doc, type: file, help: Any text file }', '  - { name: label, type: string, default: "", help: Said before the line }',
    'outputs:', '  - { name: line, type: string, help: The first line }', '  - { name: bytes, type: integer, help: The size }',
    'resources: { cpu: 0.1, memory: 64Mi, timeout: 10s }', '',
  ].join('\n'),
  'actions/peek/handler.js': [
    "import { readFile } from 'node:fs/promises';", '',
    'export async function handle({ doc, label }) {',
    '  const text = await readFile(doc, \'utf8\');',
    '  return { line: `${label}${text.split(\'\\n\')[0]}`, bytes: Buffer.byteLength(text) };',
    '}', '',
  ].join('\n'),
  'actions/peek/package.json': '{ "name": "peek", "private": true, "type": "module" }\n',
};

const PEEK = [
  'apiVersion: trellis.dev/v1', 'kind: Workflow', 'name: peek-file',
  'trigger:', '  type: manual', '  inputs:', '    - { name: doc, type: file }', '    - { name: label, type: string }',
  'steps:', '  - id: peek', '    action: peek', '    inputs:', '      doc: ${{ trigger.doc }}', '      label: ${{ trigger.label }}',
  'results:', '  line: ${{ steps.peek.line }}', '  bytes: ${{ steps.peek.bytes }}', '',
].join('\n');

const GREET = [
  'apiVersion: trellis.dev/v1', 'kind: Workflow', 'name: greet', 'title: Greet',
  'trigger:', '  type: manual', '  inputs:', '    - { name: text, type: string }', '    - { name: pause, type: float, default: 0 }',
  'steps:',
  '  - id: say', '    action: talk', '    inputs:', '      text: ${{ trigger.text }}', '      pause: ${{ trigger.pause }}',
  '  - id: each', '    action: echo', '    needs: [say]', '    foreach: ["x", "y"]', '    inputs:', '      text: ${{ item }}',
  'results:', '  text: ${{ steps.say.text }}', '  echoes: ${{ steps.each.text }}', '',
].join('\n');

const FRAGILE = [
  'apiVersion: trellis.dev/v1', 'kind: Workflow', 'name: fragile',
  'trigger:', '  type: manual', '  inputs:', '    - { name: key, type: string }',
  'steps:',
  '  - id: first', '    action: talk', '    inputs:', '      text: before', '  - id: second', '    action: flaky', '    needs: [first]',
  '    inputs:', '      key: ${{ trigger.key }}', '      failures: 1',
  'results:', '  attempts: ${{ steps.second.attempts }}', '',
].join('\n');

// Line 8 names an action the library lacks, line 12 a step that does not exist.
const BROKEN = [
  'apiVersion: trellis.dev/v1', 'kind: Workflow', 'name: broken', 'trigger:', '  type: manual', 'steps:',
  '  - id: s1', '    action: no-such-action', '  - id: s2', '    action: echo', '    inputs:', '      text: ${{ steps.ghost.text }}', '',
].join('\n');

beforeAll(async () => {
  [cli, actions] = await Promise.all([
    startCliInstance({ overrides: (name): Record<string, string> => (name === 'action-builder' ? { TRELLIS_BUILD_PARALLELISM: '3' } : {}) }),
    makeTestRepository(),
  ]);
  await actions.copyExample('echo', 'actions/echo');
  await actions.copyExample('flaky', 'actions/flaky');
  await actions.commit(TALK, 'four Node actions');
  const { projectId } = await cli.loginToNewProject('cli-runs');
  token = (await cli.behind.api('POST', '/authorization/login', { json: { username: 'admin', password: ADMIN_PASSWORD, project_id: projectId } })).body.access_token as string;
  // Built through the API: the repo commands are tested on their own (repo.e2e.test.ts).
  const source = await api('POST', '/repository/sources', { name: 'actions', url: actions.fileUrl });
  const scan = await api('POST', `/repository/sources/${source.body.id}/scan`);
  await eventually(() => api('GET', `/repository/sources/${source.body.id}/scans/${scan.body.id}`), (answer) => answer.body.status === 'done', 60_000);
  expect((await api('POST', `/repository/sources/${source.body.id}/build`)).status).toBe(202);
  for (const id of ['talk', 'echo', 'flaky', 'peek']) await eventually(() => api('GET', `/studio/actions/${id}`), (answer) => answer.status === 200, 120_000);
  await Promise.all([['greet.yaml', GREET], ['fragile.yaml', FRAGILE], ['peek.yaml', PEEK], ['broken.yaml', BROKEN], ['unreadable.yaml', 'name: [unclosed\n'], ['text.txt', 'from a file\n']]
    .map(([name, text]) => writeFile(file(name as string), text as string)));
}, 180_000);

afterAll(async () => {
  await cli?.stop();
  await actions?.close();
});

describe('trellis workflow', () => {
  it('validates a file: "valid", or each problem as file:line:col code message and exit 1', async () => {
    const valid = await cli.trellis(['workflow', 'validate', file('greet.yaml')]);
    expect(valid.stderr).toBe('');
    expect(valid.code).toBe(0);
    expect(valid.stdout).toBe(`${file('greet.yaml')}: valid\n`);

    const broken = await cli.trellis(['workflow', 'validate', 'broken.yaml']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^broken\.yaml:8:13 unknown_action .*no-such-action/m);
    expect(broken.stdout).toMatch(/^broken\.yaml:12:13 unknown_step_reference .*ghost/m);
    for (const line of lines(broken.stdout)) expect(line).toMatch(/^broken\.yaml:\d+:\d+ [a-z_]+ \S/);
    expect(lines(broken.stderr)).toEqual([expect.stringMatching(/^trellis: workflow_invalid: broken\.yaml has 2 problems \(/)]);

    const json = await cli.trellis(['workflow', 'validate', 'broken.yaml', '--json']);
    expect(json.code).toBe(1);
    const problem = JSON.parse(json.stdout);
    expect(problem).toMatchObject({ code: 'workflow_invalid', status: 422 });
    expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ line: 8, column: 13, path: 'steps[0].action' })]));
  });

  it('imports: a broken file is saved as a draft but prints its located problems and exits 1; unreadable YAML too', async () => {
    const broken = await cli.trellis(['workflow', 'import', 'broken.yaml']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^Imported new workflow broken \(/);
    expect(broken.stdout).toMatch(/^broken\.yaml:8:13 \S+ /m);
    expect(broken.stderr).toMatch(/^trellis: workflow_invalid: broken\.yaml has 2 problems: saved as a draft of broken that cannot be deployed/);

    const unreadable = await cli.trellis(['workflow', 'import', 'unreadable.yaml']);
    expect(unreadable.code).toBe(1);
    expect(unreadable.stdout).toMatch(/^unreadable\.yaml:\d+:\d+ \S+ /);
    expect(lines(unreadable.stderr)).toHaveLength(1);
  });

  it('imports, lists, shows and exports workflows', async () => {
    const greet = await cli.trellis(['workflow', 'import', 'greet.yaml', '--json']);
    expect(greet.code, greet.stderr).toBe(0);
    expect(JSON.parse(greet.stdout)).toMatchObject({ name: 'greet', valid: true, problems: [], deployment: null });
    const fragile = await cli.trellis(['workflow', 'import', 'fragile.yaml']);
    expect(fragile.code, fragile.stderr).toBe(0);
    expect(fragile.stdout).toMatch(/^Imported new workflow fragile \(/);
    const again = await cli.trellis(['workflow', 'import', 'fragile.yaml']);
    expect(again.stdout).toMatch(/^Imported a new draft of fragile/);

    const list = await cli.trellis(['workflow', 'list', '--json']);
    expect(JSON.parse(list.stdout).map((workflow: { name: string }) => workflow.name)).toEqual(['broken', 'fragile', 'greet']);
    const table = await cli.trellis(['workflow', 'list']);
    expect(table.stdout).toMatch(/^NAME\s+TRIGGER\s+STEPS\s+LATEST\s+DEPLOYMENT\s+UPDATED/);
    expect(table.stdout).toMatch(/^greet\s+manual\s+2\s+-\s+-\s+/m);

    const show = await cli.trellis(['workflow', 'show', 'greet']);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^name:\s+greet$/m);
    expect(show.stdout).toMatch(/^say\s+talk@1\.0\.0/m);
    expect(show.stdout).toMatch(/^each\s+echo@1\.0\.0\s+say\s+foreach/m);
    const showBroken = await cli.trellis(['workflow', 'show', 'broken', '--json']);
    expect(JSON.parse(showBroken.stdout)).toMatchObject({ name: 'broken', valid: false });

    const exported = await cli.trellis(['workflow', 'export', 'greet']);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/^name: greet$/m);
    expect(exported.stdout).toContain('action: talk@1.0.0');
    const toFile = await cli.trellis(['workflow', 'export', 'greet', '-o', 'greet-out.yaml']);
    expect(toFile.code).toBe(0);
    expect(await readFile(file('greet-out.yaml'), 'utf8')).toBe(exported.stdout);
  });

  it('deploys with --wait: progress on stderr until the runner serves it; a version that does not exist is not found', async () => {
    const deployed = await cli.trellis(['workflow', 'deploy', 'greet', '--wait']);
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(deployed.stdout).toBe('Deployed greet v1\n');
    expect(deployed.stderr).toMatch(/^greet v1: ready \(/m);
    const json = await cli.trellis(['workflow', 'deploy', 'fragile', '--wait', '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ name: 'fragile', deployment: { status: 'deployed', version: 1, serving_version: 1 } });
    const runner = await api('GET', '/runner/deployments');
    expect(runner.body.items.map((item: { name: string; status: string }) => [item.name, item.status])).toEqual([['fragile', 'active'], ['greet', 'active']]);

    const invalid = await cli.trellis(['workflow', 'deploy', 'broken']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^trellis: workflow_invalid: broken has 2 problem\(s\) and cannot be deployed/);

    const version = await cli.trellis(['workflow', 'export', 'greet', '--version=9']);
    expect(version.code).toBe(3);
    expect(version.stderr).toMatch(/^trellis: workflow_version_not_found: greet has no version 9/);
    const shown = await cli.trellis(['workflow', 'show', 'greet']);
    expect(shown.stdout).toMatch(/^deployment:\s+deployed v1$/m);
    expect(shown.stdout).toMatch(/^v1\s+/m);
  });
  it('a deployment the runner refuses exits 1 with its reason', async () => {
    // Studio checks HTTP paths against the drafts: hook-a's draft moves to another path while
    // its deployed version still serves /hook, so hook-b's /hook passes studio and the runner refuses it.
    const hook = (name: string, route: string) => [
      'apiVersion: trellis.dev/v1', 'kind: Workflow', `name: ${name}`, 'trigger:', '  type: http', `  path: ${route}`, '  inputs:', '    - { name: text, type: string }',
      'steps:', '  - id: echo', '    action: echo', '    inputs:', '      text: ${{ trigger.text }}', '',
    ].join('\n');
    await writeFile(file('hook-a.yaml'), hook('hook-a', 'hook'));
    await writeFile(file('hook-a2.yaml'), hook('hook-a', 'hook-moved'));
    await writeFile(file('hook-b.yaml'), hook('hook-b', 'hook'));
    expect((await cli.trellis(['workflow', 'import', 'hook-a.yaml'])).code).toBe(0);
    const served = await cli.trellis(['workflow', 'deploy', 'hook-a', '--wait']);
    expect(served.stdout).toBe(`Deployed hook-a v1, answering HTTP at ${cli.url}/user-api/cli-runs/hook\n`);
    expect((await cli.trellis(['workflow', 'import', 'hook-a2.yaml'])).code).toBe(0);
    expect((await cli.trellis(['workflow', 'import', 'hook-b.yaml'])).code).toBe(0);

    const refused = await cli.trellis(['workflow', 'deploy', 'hook-b', '--wait']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^hook-b v1: failed \(/m);
    expect(refused.stderr).toMatch(/^trellis: deploy_failed: hook-b v1 failed to deploy: the HTTP path hook is already served by the workflow hook-a .*\(see `trellis workflow show hook-b`\)$/m);
  });
});

describe('trellis run', () => {
  let greetRun = '';

  it('starts a run with --wait: step progress, then the results; inputs as JSON, text or @file', async () => {
    const run = await cli.trellis(['run', 'start', 'greet', '--input', 'text=hello', '--input', 'pause=0', '--wait']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^say: succeeded/m);
    expect(run.stderr).toMatch(/^each: succeeded \(2 succeeded\)/m);
    expect(run.stdout).toMatch(/^Run \S+ succeeded$/m);
    expect(run.stdout).toContain('"text": "HELLO"');

    const json = await cli.trellis(['run', 'start', 'greet', '--input', 'text=@text.txt', '--wait', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const detail = JSON.parse(json.stdout);
    expect(detail).toMatchObject({ status: 'succeeded', workflow: 'greet', results: { text: 'FROM A FILE\n', echoes: ['x', 'y'] } });
    greetRun = detail.id;

    const started = await cli.trellis(['run', 'start', 'greet', '--input', 'text="42"', '--json']);
    expect(started.code).toBe(0);
    const { run_id: runId } = JSON.parse(started.stdout);
    await eventually(() => api('GET', `/runner/runs/${runId}`), (answer) => answer.body.status === 'succeeded');
    expect((await api('GET', `/runner/runs/${runId}`)).body.trigger_outputs.text).toBe('42');

    const refused = await cli.trellis(['run', 'start', 'greet', '--input', 'pause=1']);
    expect(refused.code).toBe(1);
    expect(lines(refused.stderr)).toEqual([expect.stringMatching(/^trellis: \S+: .*text/)]);
  });

  it('starts a run with a file input: --file uploads it as a form part, --input gives the rest; a missing file is refused before anything is sent', async () => {
    await writeFile(file('notes.txt'), 'first of two\nsecond\n');
    expect((await cli.trellis(['workflow', 'import', 'peek.yaml'])).code).toBe(0);
    const deployed = await cli.trellis(['workflow', 'deploy', 'peek-file', '--wait']);
    expect(deployed.code, deployed.stderr).toBe(0);
    const run = await cli.trellis(['run', 'start', 'peek-file', '--file', `doc=${file('notes.txt')}`, '--input', 'label=> ', '--wait', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'succeeded', results: { line: '> first of two', bytes: 20 }, trigger_outputs: { doc: { name: 'notes.txt', size: 20 } } });
    const missing = await cli.trellis(['run', 'start', 'peek-file', '--file', `doc=${file('no-such.txt')}`, '--input', 'label=x']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^trellis: file_unreadable: --file doc=.*no-such\.txt: cannot read .*ENOENT/m);
    const asText = await cli.trellis(['run', 'start', 'peek-file', '--input', 'doc=notes', '--input', 'label=x']);
    expect(asText.code).toBe(1);
    expect(asText.stderr).toMatch(/file_needs_multipart|doc is a file input/);
  });

  it('lists runs (--json is the API\'s items) and shows one as a tree with attempts, items and timings', async () => {
    const list = await cli.trellis(['run', 'list', '--workflow', 'greet', '--status', 'succeeded', '--json']);
    expect(list.code).toBe(0);
    const runs = JSON.parse(list.stdout);
    expect(runs).toHaveLength(3);
    expect(runs[1]).toMatchObject({ id: greetRun, workflow: 'greet', status: 'succeeded', version: 1 });
    const limited = await cli.trellis(['run', 'list', '--limit', '1', '--json']);
    expect(JSON.parse(limited.stdout)).toHaveLength(1);
    const table = await cli.trellis(['run', 'list']);
    expect(table.stdout).toMatch(/^ID\s+WORKFLOW\s+VERSION\s+STATUS\s+TRIGGER\s+CREATED\s+DURATION/);
    expect(table.stdout).toContain(greetRun);

    const show = await cli.trellis(['run', 'show', greetRun]);
    expect(show.code, show.stderr).toBe(0);
    const tree = lines(show.stdout);
    const head = tree.findIndex((line) => line.startsWith(`run ${greetRun}`));
    expect(tree[head]).toMatch(/greet v1\s+succeeded\s+\S+ (ms|s)$/);
    expect(tree.slice(head + 1, head + 5)).toEqual([
      expect.stringMatching(/^├─ say {3}talk@1\.0\.0 {2}succeeded {2}1 attempt\s+\S+ (ms|s)$/),
      expect.stringMatching(/^└─ each {2}echo@1\.0\.0 {2}succeeded {2}items: 2 succeeded\s+\S+ (ms|s)$/),
      expect.stringMatching(/^ {3}├─ each\[0\]\s+succeeded\s+1 attempt\s+\S+ (ms|s)$/),
      expect.stringMatching(/^ {3}└─ each\[1\]\s+succeeded\s+1 attempt/),
    ]);
    expect(show.stdout).toContain('"echoes": [');
    const json = await cli.trellis(['run', 'show', greetRun, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: greetRun, steps: [{ id: 'say', status: 'succeeded' }, { id: 'each', items: { succeeded: 2 } }] });
  });

  it('prints logs: every step\'s lines prefixed by the step, or one step\'s as written', async () => {
    const logs = await cli.trellis(['run', 'logs', greetRun]);
    expect(logs.code, logs.stderr).toBe(0);
    expect(lines(logs.stdout)).toEqual(expect.arrayContaining(['[say] first line: from a file', '[say] second line', '[each[0]] echoing 1 characters', '[each[1]] echoing 1 characters']));
    expect(logs.stderr).toContain('[say] a warning about from a file');
    const one = await cli.trellis(['run', 'logs', greetRun, '--step', 'say']);
    expect(one.stdout).toBe('first line: from a file\n\nsecond line\n');
    const json = await cli.trellis(['run', 'logs', greetRun, '--step', 'say', '--json']);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ run_id: greetRun, step: 'say', attempts: [expect.objectContaining({ attempt: 1, status: 'succeeded' })] })]);
    // A finished step's stream: its attempt, then its end; with --json one event per line.
    const events = await cli.trellis(['run', 'logs', greetRun, '--step', 'say', '--follow', '--json']);
    expect(events.code, events.stderr).toBe(0);
    expect(lines(events.stdout).map((line) => JSON.parse(line))).toEqual([
      { step: 'say', event: 'attempt', id: '1', data: expect.objectContaining({ attempt: 1, stdout: 'first line: from a file\n\nsecond line\n' }) },
      { step: 'say', event: 'end', data: { status: 'succeeded' } },
    ]);
  });

  it('follows the logs live: a line the step prints before it sleeps shows up before the step ends', async () => {
    const started = await cli.trellis(['run', 'start', 'greet', '--input', 'text=live', '--input', 'pause=3', '--json']);
    const { run_id: runId } = JSON.parse(started.stdout);
    const follower = cli.spawnTrellis(['run', 'logs', runId, '--follow']);
    const seen: { line: string; at: number }[] = [];
    let stdout = '';
    follower.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const complete = stdout.split('\n');
      stdout = complete.pop() ?? '';
      for (const line of complete) seen.push({ line, at: Date.now() });
    });
    let stderr = '';
    follower.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    const code = await new Promise<number | null>((resolve) => follower.on('close', resolve));
    expect(code, stderr).toBe(0);
    const first = seen.find(({ line }) => line === '[say] first line: live');
    const second = seen.find(({ line }) => line === '[say] second line');
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    // Written 3 s apart by the action: shown as written, not both when the attempt ends.
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThan(2000);
    expect(seen.map(({ line }) => line)).toEqual(['[say] first line: live', '[say] second line', expect.stringMatching(/^\[each\[[01]\]\] echoing 1 characters$/), expect.stringMatching(/^\[each\[[01]\]\] echoing 1 characters$/)]);
    expect(stderr).toContain('[say] a warning about live');
  });

  it('downloads outputs: a file to its name or -o, a value printed', async () => {
    const saved = await cli.trellis(['run', 'download', greetRun, 'say', 'note']);
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stderr).toMatch(/^Wrote note\.txt \(\d+ bytes, say\.note\)/);
    expect(await readFile(file('note.txt'), 'utf8')).toBe('FROM A FILE\n\n');
    const elsewhere = await cli.trellis(['run', 'download', greetRun, 'say', 'note', '-o', 'copy.txt']);
    expect(elsewhere.code).toBe(0);
    expect(await readFile(file('copy.txt'), 'utf8')).toBe('FROM A FILE\n\n');
    const value = await cli.trellis(['run', 'download', greetRun, 'say', 'text']);
    expect(value.code).toBe(0);
    expect(JSON.parse(value.stdout)).toBe('FROM A FILE\n');
    const missing = await cli.trellis(['run', 'download', greetRun, 'say', 'nothing']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^trellis: output_not_found: /);
  });

  it('cancels a running run; a finished one cannot be', async () => {
    const started = await cli.trellis(['run', 'start', 'greet', '--input', 'text=long', '--input', 'pause=30', '--json']);
    const { run_id: runId } = JSON.parse(started.stdout);
    await eventually(() => api('GET', `/runner/runs/${runId}`), (answer) => answer.body.steps[0].status === 'running');
    const canceled = await cli.trellis(['run', 'cancel', runId]);
    expect(canceled.code, canceled.stderr).toBe(0);
    expect(canceled.stdout).toBe(`Canceling run ${runId}\n`);
    await eventually(() => api('GET', `/runner/runs/${runId}`), (answer) => answer.body.status === 'canceled');
    const again = await cli.trellis(['run', 'cancel', runId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^trellis: run_finished: /);
  });

  it('a failed run exits 1 with its error; rerun --from-failed reuses the steps that succeeded', async () => {
    const failed = await cli.trellis(['run', 'start', 'fragile', '--input', `key=${randomUUID()}`, '--wait']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^second: failed/m);
    expect(failed.stderr).toMatch(/^trellis: run_failed: the run \S+ failed: .*failing on purpose/m);
    const runId = /^Run (\S+) failed$/m.exec(failed.stdout)?.[1] ?? '';
    expect(runId).not.toBe('');

    const rerun = await cli.trellis(['run', 'rerun', runId, '--from-failed', '--wait', '--json']);
    expect(rerun.code, rerun.stderr).toBe(0);
    const detail = JSON.parse(rerun.stdout);
    expect(detail).toMatchObject({ status: 'succeeded', rerun_of: runId, results: { attempts: 2 } });
    expect(detail.steps[0]).toMatchObject({ id: 'first', status: 'succeeded', attempts: [] });
    const show = await cli.trellis(['run', 'show', detail.id]);
    expect(show.stdout).toMatch(/^rerun of:\s+\S+$/m);
    expect(show.stdout).toMatch(/^├─ first\s+talk@1\.0\.0\s+succeeded\s+reused$/m);
  });

  it('says what is not found with exit code 3', async () => {
    const cases: [string[], RegExp][] = [
      [['workflow', 'show', 'nope'], /^trellis: workflow_not_found: no workflow "nope" in this project \(list them with `trellis workflow list`\)$/],
      [['workflow', 'deploy', 'nope'], /^trellis: workflow_not_found: /],
      [['run', 'start', 'nope'], /^trellis: workflow_not_found: /],
      [['run', 'show', randomUUID()], /^trellis: run_not_found: no run \S+ in this project \(list them with `trellis run list`\)$/],
      [['run', 'logs', greetRun, '--step', 'nope'], /^trellis: step_not_found: /],
      [['run', 'cancel', randomUUID()], /^trellis: run_not_found: /],
    ];
    for (const [args, message] of cases) {
      const result = await cli.trellis(args);
      expect(result.code, args.join(' ')).toBe(3);
      expect(lines(result.stderr), args.join(' ')).toEqual([expect.stringMatching(message)]);
    }
  });

  it('undeploys: the workflow takes no more runs', async () => {
    const undeployed = await cli.trellis(['workflow', 'undeploy', 'greet', '--wait']);
    expect(undeployed.code, undeployed.stderr).toBe(0);
    expect(undeployed.stdout).toBe('Undeployed greet\n');
    const run = await cli.trellis(['run', 'start', 'greet', '--input', 'text=late']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^trellis: workflow_not_deployed: greet is not deployed \(deploy it: /);
    const again = await cli.trellis(['workflow', 'undeploy', 'greet']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^trellis: not_deployed: /);
  });
});
