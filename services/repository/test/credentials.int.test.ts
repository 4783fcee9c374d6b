import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@trellis/platform/testing/eventually';
import { makeTestRepository, type TestRepository } from './git-fixtures.js';
import { startGitHttpServer, type GitHttpServer } from './git-http-server.js';
import { scanOnce, useRepository } from './support.js';

const USERNAME = 'ada';
const PASSWORD = 'correct-horse-battery-staple-7f3a9';
const WRONG_PASSWORD = 'wrong-guess-of-ada-4411c2';

const service = useRepository();
let repo: TestRepository;
let server: GitHttpServer;
let project: Awaited<ReturnType<typeof service.project>>;
let token: string;
let url: string;
const answers: string[] = [];
/** Every git command line the service ran, recorded by a `git` first on the PATH that then runs the real one. */
let shim: { folder: string; log: string; path: string | undefined };

async function call(...args: Parameters<typeof service.call>) {
  const answer = await service.call(...args);
  answers.push(answer.text);
  return answer;
}

beforeAll(async () => {
  const folder = await mkdtemp(path.join(tmpdir(), 'trellis-git-shim-'));
  const log = path.join(folder, 'argv.log');
  await writeFile(path.join(folder, 'git'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec /usr/bin/git "$@"\n`);
  await chmod(path.join(folder, 'git'), 0o755);
  shim = { folder, log, path: process.env['PATH'] };
  process.env['PATH'] = `${folder}:${process.env['PATH'] ?? ''}`;
  repo = await makeTestRepository();
  await repo.copyExample('echo', 'echo');
  await repo.commit({ 'README.md': 'hello\n' });
  server = await startGitHttpServer({ root: path.dirname(repo.bare), username: USERNAME, password: PASSWORD });
  url = server.url(path.basename(repo.bare));
  project = await service.project();
  token = await project.token('developer');
});
afterAll(async () => {
  process.env['PATH'] = shim.path;
  await rm(shim.folder, { recursive: true, force: true });
  await server?.close();
  await repo?.close();
});

describe('a source behind HTTP basic auth (git http-backend)', () => {
  it('clones with the right credentials, which are stored sealed and never answered', async () => {
    const created = await call('POST', '/sources', { token, body: { name: 'private', url, username: USERNAME, password: PASSWORD } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'private', url, username: USERNAME, has_credentials: true });
    expect(created.text).not.toContain(PASSWORD);
    const scan = await scanOnce(service, token, created.body.id);
    answers.push(JSON.stringify(scan));
    expect(scan).toMatchObject({ status: 'done', error: null, commit: await repo.git('rev-parse', 'HEAD') });
    expect(scan.actions.map((a: { id: string }) => a.id)).toEqual(['echo']);
    expect(server.requests()).toBeGreaterThan(1);

    const [row] = await service.database.db.selectFrom('sources').select(['sealed_password', 'url']).where('id', '=', created.body.id).execute();
    expect(row?.sealed_password).toMatch(/^v1\./);
    expect(row?.sealed_password).not.toContain(PASSWORD);
    expect(row?.url).toBe(url);
    await call('GET', `/sources/${created.body.id}`, { token });
    await call('GET', '/sources', { token });

    const built = await call('POST', `/sources/${created.body.id}/build`, { token });
    expect(built.status).toBe(202);
    await eventually(() => service.published(), (messages) => messages.length > 0).then((messages) => {
      for (const message of messages) expect(message.toString('latin1')).not.toContain(PASSWORD);
    });
  });

  it('says in plain words that a wrong password was refused, without the password', async () => {
    const created = await call('POST', '/sources', { token, body: { name: 'wrong', url, username: USERNAME, password: WRONG_PASSWORD } });
    const scan = await scanOnce(service, token, created.body.id);
    answers.push(JSON.stringify(scan));
    expect(scan.status).toBe('failed');
    expect(scan.error).toEqual({
      code: 'auth_refused',
      message: 'The server refused the credentials of this source: check the username and the password or token, and that it may read this repository.',
    });
  });

  it('says that credentials are needed when the source has none', async () => {
    const created = await call('POST', '/sources', { token, body: { name: 'anonymous', url } });
    const scan = await scanOnce(service, token, created.body.id);
    expect(scan.error).toMatchObject({ code: 'auth_required' });
    expect(scan.error.message).toMatch(/asks for credentials/);
  });

  it('changes the password, keeping it sealed; another host needs it given again', async () => {
    const created = await call('POST', '/sources', { token, body: { name: 'rotated', url, username: USERNAME, password: WRONG_PASSWORD } });
    const patched = await call('PATCH', `/sources/${created.body.id}`, { token, body: { password: PASSWORD } });
    expect(patched.status).toBe(200);
    expect((await scanOnce(service, token, created.body.id)).status).toBe('done');
    const moved = await call('PATCH', `/sources/${created.body.id}`, { token, body: { url: 'https://attacker.example.net/actions.git' } });
    expect(moved.status).toBe(400);
    expect(moved.body.code).toBe('credentials_needed');
  });

  it('never puts a password on a git command line (nor in a URL given to git)', async () => {
    const argv = await readFile(shim.log, 'utf8');
    expect(argv).toContain('clone --no-checkout --depth 1 --single-branch');
    expect(argv).toContain(` -- ${url} `);
    for (const secret of [PASSWORD, WRONG_PASSWORD]) expect(argv).not.toContain(secret);
    expect(argv).not.toContain(`${USERNAME}@`);
  });

  it('puts the passwords in no answer, no log line and no broker message', async () => {
    const published = await service.published();
    const outbox = await service.database.db.selectFrom('outbox').select('payload').execute();
    const logs = service.lines.join('\n');
    expect(service.lines.some((line) => line.includes('"message":"scan"'))).toBe(true);
    for (const secret of [PASSWORD, WRONG_PASSWORD, Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64'), Buffer.from(`${USERNAME}:${WRONG_PASSWORD}`).toString('base64')]) {
      expect(logs).not.toContain(secret);
      for (const answer of answers) expect(answer).not.toContain(secret);
      for (const message of [...published, ...outbox.map((row) => Buffer.from(row.payload))]) expect(message.toString('latin1')).not.toContain(secret);
    }
  });
});
