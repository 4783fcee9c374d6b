// Replaying a step locally (issue 12): the runner's replay route on runs of the real engine (a
// failing step, a file input with a password, foreach items) and `trellis-action replay` run as
// a user runs it (the built command, a new process) against this runner, on the action folders
// of the checkout: the recorded failure is reproduced, both sides printed.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeCall } from '@trellis/platform/testing/http-call';
import type * as studio from '../src/infrastructure/pb/studio/v1/events.js';
import { useEngineRunner } from './engine-support.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const { service, build, knownProject, deploy } = useEngineRunner();
const call = makeCall(() => service.base);

let projectName = '';
let developer = '';
let viewer = '';
let otherProject = '';
let digests: Record<string, string> = {};

const userApi = (path: string, init: RequestInit) => fetch(`${new URL(service.base).origin}/user-api/${projectName}/${path}`, init);

function form(parts: Record<string, string | { name: string; text: string }>): FormData {
  const body = new FormData();
  for (const [name, part] of Object.entries(parts)) {
    if (typeof part === 'string') body.append(name, part);
    else body.append(name, new Blob([part.text], { type: 'text/plain' }), part.name);
  }
  return body;
}

/** Runs a workflow through its HTTP trigger; the run's id (from the header, or a failure's problem). */
async function runOf(answer: Response): Promise<string> {
  const header = answer.headers.get('trellis-run-id');
  if (header) return header;
  const body = await answer.json() as { run_id?: string };
  if (!body.run_id) throw new Error(`no run id in ${answer.status} ${JSON.stringify(body)}`);
  return body.run_id;
}

const rejected = async (message: string) => runOf(await userApi('rejects', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }) }));
const checked = async (pin: string, text: string) => runOf(await userApi('checks', { method: 'POST', body: form({ pin, doc: { name: 'notes.txt', text } }) }));

/**
 * `trellis-action replay ...` as a user runs it: the built command in a new process, stdin not a
 * terminal. Asynchronous: the runner it calls serves from this process.
 */
function replay(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['packages/action-cli/dist/cli.js', 'replay', ...args], {
      cwd: root, encoding: 'utf8', timeout: 60_000,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', TRELLIS_URL: new URL(service.base).origin, TRELLIS_TOKEN: developer, ...env },
    }, (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }));
    child.stdin?.end();
  });
}

/** A port nothing listens on (it was free a moment ago). */
async function aClosedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('replaying a step', () => {
  beforeAll(async () => {
    const projectId = await knownProject();
    projectName = `p-${projectId.slice(0, 8)}`;
    developer = await service.jwks.sign({ projectId, role: 'developer' });
    viewer = await service.jwks.sign({ projectId, role: 'viewer' });
    otherProject = await service.jwks.sign({ projectId: await knownProject(), role: 'owner' });
    const [raise, check] = await build(['examples/actions/raise-error', 'services/runner/test/actions/check-key']) as studio.PinnedAction[];
    digests = { 'raise-error': raise!.digest, 'check-key': check!.digest };
    await deploy(projectId, {
      name: 'rejects', trigger: { type: 'http', path: 'rejects', auth: 'none', inputs: [{ name: 'message', type: 'string' }] },
      steps: [
        { id: 'reject', action: 'raise-error@1.0.0', inputs: { message: '${{ trigger.message }}', code: 'declined' } },
      ],
    }, [raise!]);
    await deploy(projectId, {
      name: 'checks', trigger: { type: 'http', path: 'checks', auth: 'none', inputs: [{ name: 'doc', type: 'file' }, { name: 'pin', type: 'password' }] },
      steps: [{ id: 'check', action: 'check-key@1.0.0', inputs: { doc: '${{ trigger.doc }}', key: '${{ trigger.pin }}', label: 'notes' } }],
      results: { lines: '${{ steps.check.lines }}' },
    }, [check!]);
    await deploy(projectId, {
      name: 'items', trigger: { type: 'http', path: 'items', auth: 'none', inputs: [] },
      steps: [{ id: 'each', action: 'raise-error@1.0.0', inputs: { message: 'item ${{ item }}', code: 'declined' }, foreach: '${{ ["a", "b", "c"] }}', parallelism: 1 }],
    }, [raise!]);
    await deploy(projectId, {
      name: 'approves', trigger: { type: 'http', path: 'approves', auth: 'none', timeout: 0, inputs: [] },
      steps: [
        { id: 'approve', wait: { signal: 'approved' } },
        { id: 'reject', action: 'raise-error@1.0.0', needs: ['approve'], inputs: { message: 'after approval', code: 'declined' } },
      ],
    }, [raise!]);
    // The command as users get it (its dist is what `trellis-action` runs).
    const built = spawnSync('npx', ['tsc', '-b', 'packages/action-cli'], { cwd: root, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`build failed:\n${built.stdout}${built.stderr}`);
  }, 240_000);

  it('answers a failed attempt: its inputs, action, status, error and logs (developer only, the project\'s runs only)', async () => {
    const runId = await rejected('No thanks');
    const answer = await call('GET', `/runs/${runId}/steps/reject/replay`, { token: developer });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      run_id: runId, step: 'reject', attempt: 1, action: { id: 'raise-error', version: '1.0.0', digest: digests['raise-error'] },
      inputs: { message: 'No thanks', code: 'declined' }, secrets: [],
      recorded: { status: 'failed', error: { code: 'declined', message: 'No thanks' }, outputs: null, stdout: '', stderr: expect.any(String), duration_ms: expect.any(Number) },
    });
    expect((await call('GET', `/runs/${runId}/steps/reject/replay?attempt=1`, { token: developer })).body.attempt).toBe(1);
    expect(await call('GET', `/runs/${runId}/steps/reject/replay?attempt=2`, { token: developer })).toMatchObject({ status: 404, body: { code: 'attempt_not_found' } });
    expect(await call('GET', `/runs/${runId}/steps/nope/replay`, { token: developer })).toMatchObject({ status: 404, body: { code: 'step_not_found' } });
    expect(await call('GET', `/runs/${randomUUID()}/steps/reject/replay`, { token: developer })).toMatchObject({ status: 404, body: { code: 'run_not_found' } });
    expect(await call('GET', `/runs/${runId}/steps/reject/replay`, { token: otherProject })).toMatchObject({ status: 404, body: { code: 'run_not_found' } });
    expect((await call('GET', `/runs/${runId}/steps/reject/replay`, { token: viewer })).status).toBe(403);
    expect((await call('GET', `/runs/${runId}/steps/reject/replay?attempt=0`, { token: developer })).status).toBe(400);
  }, 60_000);

  it('gives a file input as a presigned link and never a password\'s value; outputs when the attempt succeeded', async () => {
    const runId = await checked('open-sesame', 'one\ntwo\n');
    const answer = await call('GET', `/runs/${runId}/steps/check/replay`, { token: developer });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      inputs: { doc: { url: expect.stringMatching(/^http/), name: 'notes.txt', size: 8, content_type: 'text/plain' }, label: 'notes' }, secrets: ['key'],
      recorded: { status: 'succeeded', error: null, outputs: { lines: 2 }, stdout: 'notes: 2 lines\n' },
    });
    expect(Object.keys(answer.body.inputs).sort()).toEqual(['doc', 'label']);
    expect(answer.text).not.toContain('open-sesame');
    expect(answer.body.inputs.doc.object).toBeUndefined(); // where files are kept shows only inside the signed link
    expect(await (await fetch(answer.body.inputs.doc.url as string)).text()).toBe('one\ntwo\n');
  }, 60_000);

  it('answers an item of a foreach step as <step>[<index>]', async () => {
    const runId = await runOf(await userApi('items', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
    const answer = await call('GET', `/runs/${runId}/steps/${encodeURIComponent('each[1]')}/replay`, { token: developer });
    expect(answer).toMatchObject({ status: 200, body: { step: 'each[1]', inputs: { message: 'item b' }, recorded: { error: { code: 'declined', message: 'item b' } } } });
    expect((await call('GET', `/runs/${runId}/steps/${encodeURIComponent('each[7]')}/replay`, { token: developer })).body.code).toBe('attempt_not_found');
  }, 60_000);

  it('says a wait step calls no action, before and after its signal (found by the fuzzing suite: 500 once signalled)', async () => {
    const runId = await runOf(await userApi('approves', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
    const waiting = await call('GET', `/runs/${runId}/steps/approve/replay`, { token: developer });
    expect([waiting.status, waiting.body.code]).toEqual([409, 'step_calls_no_action']);
    await expect.poll(async () => (await call('POST', `/runs/${runId}/signals/approved`, { token: developer, body: {} })).status, { timeout: 20_000 }).toBe(202);
    await expect.poll(async () => (await call('GET', `/runs/${runId}`, { token: developer })).body.status, { timeout: 30_000 }).toBe('failed');
    const signalled = await call('GET', `/runs/${runId}/steps/approve/replay`, { token: developer });
    expect([signalled.status, signalled.body.code]).toEqual([409, 'step_calls_no_action']);
    expect((await call('GET', `/runs/${runId}/steps/reject/replay`, { token: developer })).status).toBe(200);
  }, 90_000);

  it('trellis-action replay reproduces the recorded failing attempt from the action\'s folder, both sides printed', async () => {
    const runId = await rejected('No thanks');
    const replayed = await replay([runId, 'reject', '--dir', 'examples/actions/raise-error']);
    expect(replayed.stderr).toBe('');
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toMatch(/^status\s+failed\s+│ failed$/m);
    expect(replayed.stdout).toMatch(/^error\s+declined: No thanks\s+│ declined: No thanks$/m);
    expect(replayed.stdout).toContain('reproduced: failed (declined) locally as recorded');
    const json = await replay([runId, 'reject', '--attempt', '1', '--dir', 'examples/actions/raise-error', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ run_id: runId, reproduced: true, recorded: { status: 'failed', error: { code: 'declined' } }, local: { status: 'failed', error: { code: 'declined', message: 'No thanks' } } });
  }, 120_000);

  it('downloads file inputs, takes secrets from --secret, and exits 1 when the local outcome differs', async () => {
    const runId = await checked('open-sesame', 'one\ntwo\nthree\n');
    const same = await replay([runId, 'check', '--dir', 'services/runner/test/actions/check-key', '--secret', 'key=open-sesame', '--json']);
    expect(same.code).toBe(0);
    expect(JSON.parse(same.stdout)).toMatchObject({ reproduced: true, recorded: { outputs: { lines: 3 } }, local: { status: 'succeeded', outputs: { lines: 3 }, stdout: 'notes: 3 lines\n' } });
    const differs = await replay([runId, 'check', '--dir', 'services/runner/test/actions/check-key', '--secret', 'key=wrong']);
    expect(differs.code).toBe(1);
    expect(differs.stdout).toContain('not reproduced: recorded succeeded, local failed (wrong_key)');
    const noSecret = await replay([runId, 'check', '--dir', 'services/runner/test/actions/check-key']);
    expect(noSecret).toMatchObject({ code: 1, stdout: '' });
    expect(noSecret.stderr).toContain('--secret key=VALUE');
    const otherFolder = await replay([runId, 'check', '--dir', 'examples/actions/raise-error']);
    expect(otherFolder.stderr).toContain('warning: examples/actions/raise-error is raise-error@1.0.0; the attempt ran check-key@1.0.0');
  }, 120_000);

  it('asks for a missing secret on a terminal, without showing what is typed', async () => {
    const runId = await checked('open-sesame', 'a\n');
    const command = ['node', 'packages/action-cli/dist/cli.js', 'replay', runId, 'check', '--dir', 'services/runner/test/actions/check-key'].join(' ');
    // script(1) gives the command a terminal; what is typed goes in once the prompt is up (before raw mode the terminal would echo it).
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: root, env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', TERM: 'dumb', TRELLIS_URL: new URL(service.base).origin, TRELLIS_TOKEN: developer },
    });
    let seen = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const before = seen;
      seen += chunk.toString('utf8');
      if (!before.includes('not shown): ') && seen.includes('not shown): ')) child.stdin.write('open-sesame\r');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(seen).toContain('key (a secret, not shown): ');
    expect(seen, seen).toContain('reproduced: succeeded locally as recorded');
    expect(seen).not.toContain('open-sesame');
    expect(code, seen).toBe(0);
  }, 120_000);

  it('says what is wrong with the server, the credentials or the ids', async () => {
    const runId = await rejected('again');
    const noUrl = await replay([runId, 'reject'], { TRELLIS_URL: '' });
    expect(noUrl).toMatchObject({ code: 1 });
    expect(noUrl.stderr).toContain('TRELLIS_URL is not set');
    expect((await replay([runId, 'reject'], { TRELLIS_TOKEN: '' })).stderr).toContain('neither TRELLIS_TOKEN nor TRELLIS_API_KEY is set');
    expect((await replay([runId, 'reject'], { TRELLIS_TOKEN: 'not-a-token' })).stderr).toMatch(/^the server answered 401/);
    expect((await replay([runId, 'reject'], { TRELLIS_TOKEN: viewer })).stderr).toMatch(/^the server answered 403 .*developer role/);
    const unknown = await replay([randomUUID(), 'reject']);
    expect(unknown).toMatchObject({ code: 1, stderr: 'the server answered 404 Run not found: No such run in the project.\n' });
    const closed = await aClosedPort();
    expect((await replay([runId, 'reject'], { TRELLIS_URL: `http://127.0.0.1:${closed}` })).stderr).toBe(`cannot reach http://127.0.0.1:${closed}: ECONNREFUSED\n`);
  }, 120_000);
});
