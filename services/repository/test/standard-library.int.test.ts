// The standard library as the repository installs it: a managed source per project, scanned and
// built on its own, once per action version (issue 19). The library here is two tiny actions made
// by the test, not Trellis's own actions/: first as a repository (TRELLIS_STANDARD_LIBRARY_URL),
// then as a folder the service commits itself (TRELLIS_STANDARD_LIBRARY_DIR, as every install gives it).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import winston from 'winston';
import { ConfigError, loadConfig } from '@trellis/platform/config';
import { makeLogger } from '@trellis/platform/logger';
import { eventually } from '@trellis/platform/testing/eventually';
import { envSchema } from '../src/infrastructure/config.js';
import { startRepository } from '../src/infrastructure/start-repository.js';
import { makeTestRepository } from './git-fixtures.js';
import { useRepository, type TestRepositoryService } from './support.js';

const manifest = (id: string, version: string) => [
  'apiVersion: trellis.dev/v1', 'kind: Processor', `id: ${id}`, `version: ${version}`, `name: ${id}`,
  `description: The ${id} action of the test library.`, 'runtime: nodejs', 'handler: handler.js', 'categories: [standard, test]',
  'outputs:', '  - { name: text, type: string, help: A word }', '',
].join('\n');
const action = (id: string, version: string) => ({
  [`${id}/trellis.yaml`]: manifest(id, version),
  [`${id}/handler.js`]: `export async function handle() { return { text: '${id}' }; }\n`,
});

const library = await makeTestRepository();
await library.commit({ ...action('shout', '1.0.0'), ...action('whisper', '1.0.0') }, 'Trellis 0.1.0 standard library');
// File URLs are off for users here: the library's URL is the operator's, taken all the same.
const service = useRepository({ TRELLIS_STANDARD_LIBRARY_URL: library.fileUrl, TRELLIS_GIT_ALLOW_FILE_URLS: 'false', TRELLIS_SCAN_POLL_MS: '500' });
afterAll(() => library.close());

/** Stops the service and starts it again on the same database and broker, its log lines kept. */
async function restart(target: TestRepositoryService = service): Promise<string[]> {
  const lines: string[] = [];
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  await target.running.stop();
  const logger = makeLogger({ service: 'repository', level: 'debug', transports: [new winston.transports.Stream({ stream: capture })] });
  target.running = await startRepository(loadConfig(envSchema, target.fullEnv()), { version: 'test', logger });
  target.base = target.running.url;
  return lines;
}

const buildsOf = (sourceId: string) =>
  service.database.db.selectFrom('builds').select(['action_id', 'version', 'requested_by']).where('source_id', '=', sourceId).orderBy('requested_at').orderBy('action_id').execute();

describe('the standard library', () => {
  let project: Awaited<ReturnType<typeof service.project>>;
  let sourceId: string;

  it('is in a new project as a managed source, scanned and built on its own, each action once', async () => {
    project = await service.project();
    const viewer = await project.token('viewer');
    const list = await service.call('GET', '/sources', { token: viewer });
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ name: 'standard', url: library.fileUrl, managed: true, created_by: 'trellis' });
    sourceId = list.body.items[0].id;

    const requests = await eventually(async () => {
      const all = [];
      for (let i = 0; i < 3; i += 1) all.push(...(await service.buildRequests()));
      return all;
    }, (all) => all.length >= 2, 30_000);
    expect(requests.map((r) => [r.actionId, r.version, r.sourceName, r.requestedBy]).sort()).toEqual([
      ['shout', '1.0.0', 'standard', 'trellis'], ['whisper', '1.0.0', 'standard', 'trellis'],
    ]);
    const source = await service.call('GET', `/sources/${sourceId}`, { token: viewer });
    expect(source.body).toMatchObject({ managed: true, last_scan: { status: 'done', commit: await library.git('rev-parse', 'HEAD'), requested_by: 'trellis' } });
    expect(source.body.last_scan.actions.map((a: { id: string; build: { status: string } }) => [a.id, a.build.status])).toEqual([['shout', 'queued'], ['whisper', 'queued']]);
  });

  it('cannot be changed or deleted by users, even the owner (409 managed_source), and stays as it was', async () => {
    const owner = await project.token('owner');
    const patched = await service.call('PATCH', `/sources/${sourceId}`, { token: owner, body: { name: 'mine' } });
    expect(patched.status).toBe(409);
    expect(patched.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(patched.body).toMatchObject({ code: 'managed_source', detail: 'The standard library is managed by Trellis; it is updated with Trellis.' });
    const deleted = await service.call('DELETE', `/sources/${sourceId}`, { token: owner });
    expect(deleted.status).toBe(409);
    expect(deleted.body.code).toBe('managed_source');
    expect((await service.call('GET', `/sources/${sourceId}`, { token: owner })).body).toMatchObject({ name: 'standard', managed: true });
    // Users' own file:// sources stay refused on this instance.
    const mine = await service.call('POST', '/sources', { token: owner, body: { name: 'mine', url: library.fileUrl } });
    expect(mine.body.code).toBe('invalid_source_url');
  });

  it('after a restart: nothing is scanned or built again', async () => {
    const lines = await restart();
    await eventually(async () => lines.find((line) => line.includes('standard library checked')), (line) => line !== undefined, 20_000);
    const checked = JSON.parse(lines.find((line) => line.includes('standard library checked')) as string);
    expect(checked).toMatchObject({ projects: 1, created: 0, scans_queued: 0, builds_requested: 0 });
    expect(await buildsOf(sourceId)).toHaveLength(2);
    const scans = await service.database.db.selectFrom('scans').select('id').where('source_id', '=', sourceId).execute();
    expect(scans).toHaveLength(1);
  });

  it('with a new Trellis (a new commit, one action\'s version changed): scans it and builds exactly that action', async () => {
    await service.buildRequests();
    const commit = await library.commit(action('whisper', '1.1.0'), 'Trellis 0.2.0 standard library');
    const lines = await restart();
    const builds = await eventually(() => buildsOf(sourceId), (rows) => rows.length >= 3, 30_000);
    expect(builds.slice(2)).toEqual([{ action_id: 'whisper', version: '1.1.0', requested_by: 'trellis' }]);
    const requests = await eventually(() => service.buildRequests(), (list) => list.length > 0);
    expect(requests.map((r) => [r.actionId, r.version, r.commit])).toEqual([['whisper', '1.1.0', commit]]);
    expect(lines.some((line) => line.includes('standard library builds requested'))).toBe(true);
    // Nothing more comes: the scan's own builds were all it asked for, and the source is unchanged.
    const again = await restart();
    await eventually(async () => again.find((line) => line.includes('standard library checked')), (line) => line !== undefined, 20_000);
    expect(await buildsOf(sourceId)).toHaveLength(3);
  });

  it('a second project gets its own library, built for it', async () => {
    const other = await service.project();
    const list = await service.call('GET', '/sources', { token: await other.token('viewer') });
    expect(list.body.items).toEqual([expect.objectContaining({ name: 'standard', managed: true })]);
    const otherSource = list.body.items[0].id as string;
    const builds = await eventually(() => buildsOf(otherSource), (rows) => rows.length >= 2, 30_000);
    expect(builds.map((b) => `${b.action_id}@${b.version}`).sort()).toEqual(['shout@1.0.0', 'whisper@1.1.0']);
  });
});

// ---- the library given as a folder of the test's own (two actions), committed by the service

const folder = await mkdtemp(join(tmpdir(), 'trellis-stdlib-dir-'));
const actionsDir = join(folder, 'actions');
const workDir = join(folder, 'work');
const writeActions = async (files: Record<string, string>) => {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(actionsDir, name)), { recursive: true });
    await writeFile(join(actionsDir, name), content);
  }
};
await writeActions({ ...action('shout', '1.0.0'), ...action('whisper', '1.0.0'), 'test/shout.test.ts': 'not an action\n' });
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('the standard library given as a folder (TRELLIS_STANDARD_LIBRARY_DIR)', () => {
  const fromDir = useRepository({ TRELLIS_STANDARD_LIBRARY_DIR: actionsDir, TRELLIS_SCAN_WORK_DIR: workDir, TRELLIS_GIT_ALLOW_FILE_URLS: 'false', TRELLIS_SCAN_POLL_MS: '500' });
  const repository = join(workDir, 'trellis-standard-library.git');
  const url = pathToFileURL(repository).href;
  const head = async () => (await promisify(execFile)('git', ['--git-dir', repository, 'rev-parse', 'main'])).stdout.trim();
  const scansOf = (sourceId: string) =>
    fromDir.database.db.selectFrom('scans').select(['commit_sha', 'status']).where('source_id', '=', sourceId).orderBy('requested_at').execute();
  const committed = (lines: readonly string[]) => JSON.parse(lines.find((line) => line.includes('standard library committed')) as string) as { commit: string; changed: boolean; actions: number };
  let sourceId: string;
  let first: string;

  it('is committed by the service into its work folder; a project\'s source `standard` points there and is scanned at that commit', async () => {
    first = await head();
    expect(committed(fromDir.lines)).toMatchObject({ commit: first, changed: true, actions: 2 });
    const project = await fromDir.project();
    const viewer = await project.token('viewer');
    const list = await fromDir.call('GET', '/sources', { token: viewer });
    expect(list.body.items).toEqual([expect.objectContaining({ name: 'standard', url, managed: true, created_by: 'trellis' })]);
    sourceId = list.body.items[0].id;
    const source = await eventually(() => fromDir.call('GET', `/sources/${sourceId}`, { token: viewer }), (a) => a.body.last_scan?.status === 'done', 30_000);
    expect(source.body.last_scan).toMatchObject({ commit: first, requested_by: 'trellis' });
    expect(source.body.last_scan.actions.map((a: { id: string }) => a.id)).toEqual(['shout', 'whisper']);
  });

  it('after a restart with the same folder: the same commit, nothing scanned again', async () => {
    const lines = await restart(fromDir);
    expect(committed(lines)).toMatchObject({ commit: first, changed: false });
    await eventually(async () => lines.find((line) => line.includes('standard library checked')), (line) => line !== undefined, 20_000);
    expect(JSON.parse(lines.find((line) => line.includes('standard library checked')) as string)).toMatchObject({ commit: first, scans_queued: 0 });
    expect(await scansOf(sourceId)).toHaveLength(1);
  });

  it('after a restart with a changed file: a new commit, scanned, and the changed action built', async () => {
    await writeActions(action('whisper', '1.1.0'));
    const lines = await restart(fromDir);
    const second = await head();
    expect(second).not.toBe(first);
    expect(committed(lines)).toMatchObject({ commit: second, changed: true });
    const scans = await eventually(() => scansOf(sourceId), (rows) => rows.length === 2 && rows[1]?.status === 'done', 30_000);
    expect(scans[1]?.commit_sha).toBe(second);
    const builds = await eventually(
      () => fromDir.database.db.selectFrom('builds').select(['action_id', 'version']).where('source_id', '=', sourceId).execute(),
      (rows) => rows.some((row) => row.version === '1.1.0'), 30_000,
    );
    expect(builds.filter((row) => row.version === '1.1.0')).toEqual([{ action_id: 'whisper', version: '1.1.0' }]);
  });

  it('refuses to start when the folder is missing, or when a URL is given too (which one is meant cannot be guessed)', async () => {
    const start = (env: Record<string, string>) => startRepository(loadConfig(envSchema, { ...fromDir.fullEnv(), ...env }), { version: 'test' });
    await expect(start({ TRELLIS_STANDARD_LIBRARY_URL: library.fileUrl })).rejects.toThrow(ConfigError);
    await expect(start({ TRELLIS_STANDARD_LIBRARY_URL: library.fileUrl })).rejects.toThrow(/TRELLIS_STANDARD_LIBRARY_DIR .* and TRELLIS_STANDARD_LIBRARY_URL .* are both set/);
    await expect(start({ TRELLIS_STANDARD_LIBRARY_DIR: join(folder, 'nothing') })).rejects.toThrow(/TRELLIS_STANDARD_LIBRARY_DIR=.*nothing is not a folder/);
  });
});
