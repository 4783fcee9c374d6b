// Issue 16's backup acceptance on a real running platform: an instance with a second user and
// project, an API key, a source with built actions, deployed workflows, a secret and 100 finished
// runs with a file in and a file out -> `backup` while more runs are in flight -> stop, wipe ->
// `restore` -> every table's rows and every object's bytes are those of the archive; started
// again, the instance serves logins (both users), its deployed workflow answers HTTP and an old
// run's file output downloads through the gateway.
//
// The instance is adm's own (provisioned and migrated as `up` does, in a temp state dir, with its
// embedded object store), so `runBackup`/`runRestore` find it exactly as the CLI does (instance.json,
// secrets.env). The five services and the gateway are the e2e helpers' (startBehindGateway), each
// service pointed by `overrides` at the adm instance's databases, vhost and bucket (serviceEnv),
// except its port (a free one) and the JWKS URL (the running authorization's). The helpers'
// own databases, vhost and store go unused.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedS3, type EmbeddedS3 } from '@trellis/platform/embedded-s3';
import { makeObjectStore } from '@trellis/platform/object-store';
import { makeTestRepository, type TestRepository } from '../../services/repository/test/git-fixtures.js';
import { SERVICES as ADM_SERVICES } from '../../adm/src/catalog.js';
import { compressionOf, decompressor } from '../../adm/src/backup/compression.js';
import { emptyDatabase, restoreDatabase } from '../../adm/src/backup/databases.js';
import { MANIFEST_NAME, type Manifest } from '../../adm/src/backup/manifest.js';
import { listObjects, readObject, removeAllObjects } from '../../adm/src/backup/objects.js';
import { runBackup } from '../../adm/src/backup/run-backup.js';
import { runRestore } from '../../adm/src/backup/run-restore.js';
import { readEntries } from '../../adm/src/backup/tar.js';
import { migrateAll } from '../../adm/src/local/migrate-all.js';
import { localPlan } from '../../adm/src/local/plan.js';
import { objectStoreEndpoint, serviceEnv } from '../../adm/src/local/service-env.js';
import { localSettingsFromEnv, type LocalSettings } from '../../adm/src/local/settings.js';
import { dropInstanceResources, findInstanceResources } from '../../adm/src/provision/instance-resources.js';
import { ensureBucket } from '../../adm/src/provision/object-store.js';
import { postgresAdminFromEnv } from '../../adm/src/provision/postgres.js';
import { rabbitAdminFromEnv } from '../../adm/src/provision/rabbitmq.js';
import type { Secrets } from '../../adm/src/secrets.js';
import { freePort, provisionLocalInstance, testPrefix } from '../../adm/test/fixtures.js';
import { startBehindGateway, type Answer, type BehindGateway, type RequestOptions } from './behind-gateway.js';
import { createEmptyDatabase, dropDatabase, eventually, type ServiceName } from './harness.js';
import { ADMIN_PASSWORD } from './platform.js';
import { NUMBER_LINES } from './fixtures/actions.js';

const admins = { postgres: postgresAdminFromEnv(), rabbitmq: rabbitAdminFromEnv() };
const RUNS = 100;
const IN_FLIGHT = 10;

let root = '';
let name = '';
let instanceEnv: NodeJS.ProcessEnv = {};
let settings: LocalSettings;
let secrets: Secrets;
let s3: EmbeddedS3 | undefined;
let env: BehindGateway | undefined;
let repo: TestRepository | undefined;
let admin = '';
const scratch: string[] = [];
/** What the instance held before the backup, to check after the restore. */
const made = { projectB: '', userPassword: '', apiKey: '', oldRunId: '', oldOutput: '' };

const api = (method: string, path: string, options: RequestOptions = {}): Promise<Answer> => {
  if (!env) throw new Error('the platform is not running');
  return env.api(method, path, { ...options, token: options.token ?? admin });
};
const urlOf = (service: ServiceName) => serviceEnv(settings, secrets, ADM_SERVICES.find((s) => s.name === service)!, undefined)['TRELLIS_DATABASE_URL'] ?? '';
const storeClient = () => makeObjectStore({ endpoint: objectStoreEndpoint(settings), accessKey: secrets.s3AccessKey, secretKey: secrets.s3SecretKey, bucket: settings.bucket, region: settings.region }).client;

async function sql<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Every table of the public schema, each as its rows' JSON, ordered: what "identical" compares. */
async function tablesOf(url: string): Promise<Record<string, string[]>> {
  const tables = await sql<{ name: string }>(url, "select tablename as name from pg_tables where schemaname = 'public' order by tablename");
  const out: Record<string, string[]> = {};
  for (const { name: table } of tables) {
    const rows = await sql<{ j: string }>(url, `select row_to_json(t)::text as j from public.${pg.escapeIdentifier(table)} t`);
    out[table] = rows.map((row) => row.j).sort();
  }
  return out;
}

/** Every object's sha256 in the instance's bucket, by key. */
async function objectHashes(): Promise<Record<string, string>> {
  const client = storeClient();
  const out: Record<string, string> = {};
  for await (const { key } of listObjects(client, settings.bucket)) {
    const hash = createHash('sha256');
    for await (const chunk of await readObject(client, settings.bucket, key)) hash.update(chunk as Buffer);
    out[key] = hash.digest('hex');
  }
  return out;
}

/** The platform on the adm instance: services on free ports, pointed at the instance's resources. */
async function startOnInstance(): Promise<void> {
  env = await startBehindGateway({
    overrides: (service) => {
      const { TRELLIS_HTTP_PORT: _port, TRELLIS_AUTH_JWKS_URL: _jwks, ...rest } = serviceEnv(settings, secrets, ADM_SERVICES.find((s) => s.name === service)!, undefined);
      return rest;
    },
  });
  admin = (await api('POST', '/authorization/login', { token: '', json: { username: 'admin', password: ADMIN_PASSWORD } })).body.access_token;
  for (const service of ['repository', 'studio', 'runner']) await eventually(() => api('GET', `/${service}/project`), (a) => a.status === 200);
}

async function stopPlatform(): Promise<void> {
  await env?.stop();
  env = undefined;
}

async function deployed(yaml: string): Promise<string> {
  const imported = await api('POST', '/studio/workflows/import', { yaml });
  expect(imported.status, imported.text).toBe(201);
  expect((await api('POST', `/studio/workflows/${imported.body.id}/deploy`)).status).toBe(202);
  await eventually(() => api('GET', `/studio/workflows/${imported.body.id}`), (a) => a.body.deployment?.status === 'deployed', 60_000);
  return imported.body.id as string;
}

/** POSTs a file to the async number-lines trigger; the run's id. */
async function startNumbering(text: string, path = 'number-lines'): Promise<string> {
  if (!env) throw new Error('the platform is not running');
  const form = new FormData();
  form.append('doc', new Blob([text], { type: 'text/plain' }), 'lines.txt');
  const answer = await fetch(`${env.gateway.base}/user-api/default/${path}`, { method: 'POST', body: form });
  const body = (await answer.json()) as { run_id?: string };
  expect(answer.status).toBe(202);
  return String(body.run_id);
}

const unfinished = async () => Number((await sql<{ n: string }>(urlOf('runner'), "select count(*) as n from runs where status in ('queued', 'running')"))[0]?.n);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'trellis-e2e-backup-'));
  name = testPrefix();
  // No standard library: its 22 builds in each project would queue before this test's own and
  // are tested on their own (standard-library.e2e.test.ts).
  instanceEnv = { ...process.env, TRELLIS_STATE_DIR: join(root, '.trellis'), TRELLIS_INSTANCE: name, TRELLIS_S3_PORT: String(await freePort()), TRELLIS_STANDARD_LIBRARY_URL: 'off' };
  settings = localSettingsFromEnv(instanceEnv);
  ({ secrets } = await provisionLocalInstance(instanceEnv));
  await migrateAll(localPlan(settings, secrets, undefined, { command: 'true', args: [], accessLog: '' }, instanceEnv), join(root, 'migrate.log'));
  s3 = await startEmbeddedS3({ host: '127.0.0.1', port: settings.s3Port, directory: join(root, 's3'), accessKey: secrets.s3AccessKey, secretKey: secrets.s3SecretKey });
  await ensureBucket({ endpoint: objectStoreEndpoint(settings), accessKey: secrets.s3AccessKey, secretKey: secrets.s3SecretKey, bucket: settings.bucket, region: settings.region });
  await startOnInstance();
}, 120_000);

afterAll(async () => {
  try {
    await stopPlatform();
    await repo?.close();
    await s3?.close();
    for (const database of scratch) await dropDatabase(database);
    if (name) await dropInstanceResources(admins, await findInstanceResources(admins, name));
  } finally {
    if (root) await rm(root, { recursive: true, force: true });
  }
}, 60_000);

describe('backup while runs are in flight, reset, restore', () => {
  const archive = () => join(root, 'backup.tar.gz');

  it('makes an instance: a second user and project, an API key, built actions, deployed workflows, a secret, 100 finished runs with files', async () => {
    made.projectB = (await api('POST', '/authorization/projects', { json: { name: 'backup-b' } })).body.id as string;
    made.userPassword = 'second user password';
    expect((await api('POST', '/authorization/users', { json: { username: 'bea', password: made.userPassword } })).status).toBe(201);
    expect((await api('POST', `/authorization/projects/${made.projectB}/members`, { json: { username: 'bea', role: 'owner' } })).status).toBeLessThan(300);
    const adminB = (await api('POST', '/authorization/login', { token: '', json: { username: 'admin', password: ADMIN_PASSWORD, project_id: made.projectB } })).body.access_token as string;
    const key = await api('POST', `/authorization/projects/${made.projectB}/api-keys`, { token: adminB, json: { name: 'kept', role: 'viewer' } });
    expect(key.status, key.text).toBe(201);
    made.apiKey = key.body.key as string;
    expect((await api('PUT', '/studio/secrets/API_TOKEN', { json: { value: 'kept secret' } })).status).toBe(201);

    repo = await makeTestRepository();
    await repo.copyExample('add-one', 'actions/add-one');
    await repo.copyExample('sleep', 'actions/sleep');
    await repo.commit(NUMBER_LINES);
    const source = await api('POST', '/repository/sources', { json: { name: 'actions', url: repo.fileUrl } });
    const scan = await api('POST', `/repository/sources/${source.body.id}/scan`);
    await eventually(() => api('GET', `/repository/sources/${source.body.id}/scans/${scan.body.id}`), (a) => a.body.status === 'done', 90_000);
    expect((await api('POST', `/repository/sources/${source.body.id}/build`)).status).toBe(202);
    for (const id of ['add-one', 'number-lines', 'sleep']) await eventually(() => api('GET', `/studio/actions/${id}`), (a) => a.status === 200, 180_000);

    await deployed(['apiVersion: trellis.dev/v1', 'kind: Workflow', 'name: add-two', 'trigger:', '  type: http', '  path: add-two', '  auth: none',
      '  inputs:', '    - { name: n, type: integer }', 'steps:', '  - id: a', '    action: add-one', '    inputs:', '      n: ${{ trigger.n }}',
      '  - id: b', '    action: add-one', '    inputs:', '      n: ${{ steps.a.n }}', 'results:', '  n: ${{ steps.b.n }}', ''].join('\n'));
    await deployed(['apiVersion: trellis.dev/v1', 'kind: Workflow', 'name: number-lines', 'trigger:', '  type: http', '  path: number-lines', '  timeout: 0', '  auth: none',
      '  inputs:', '    - { name: doc, type: file }', 'steps:', '  - id: number', '    action: number-lines', '    inputs:', '      doc: ${{ trigger.doc }}',
      'results:', '  numbered: ${{ steps.number.numbered }}', ''].join('\n'));
    // The runs in flight during the backup: a file numbered, then a sleep longer than the backup.
    await deployed(['apiVersion: trellis.dev/v1', 'kind: Workflow', 'name: slow-lines', 'trigger:', '  type: http', '  path: slow-lines', '  timeout: 0', '  auth: none',
      '  inputs:', '    - { name: doc, type: file }', 'steps:', '  - id: number', '    action: number-lines', '    inputs:', '      doc: ${{ trigger.doc }}',
      '  - id: wait', '    action: sleep', '    inputs:', '      seconds: 8', 'results:', '  numbered: ${{ steps.number.numbered }}', ''].join('\n'));
    expect((await api('POST', '/user-api/default/add-two', { token: '', json: { n: 1 } })).body).toEqual({ n: 3 });

    const ids: string[] = [];
    for (let batch = 0; batch < RUNS; batch += 20) {
      ids.push(...(await Promise.all(Array.from({ length: 20 }, (_, i) => startNumbering(`run ${batch + i}\nsecond line\n`)))));
    }
    await eventually(unfinished, (n) => n === 0, 120_000);
    const statuses = await sql<{ status: string; n: string }>(urlOf('runner'), 'select status, count(*) as n from runs group by status order by status');
    expect(statuses.map((row) => `${row.status} ${row.n}`)).toEqual([`succeeded ${RUNS + 1}`]);
    made.oldRunId = ids[7] ?? '';
    made.oldOutput = (await api('GET', `/runner/runs/${made.oldRunId}/steps/number/outputs/numbered?inline=true`)).text;
    expect(made.oldOutput).toBe('1: run 7\n2: second line\n');
  }, 300_000);

  it('takes the backup while runs are in flight', async () => {
    await Promise.all(Array.from({ length: IN_FLIGHT }, (_, i) => startNumbering(`late ${i}\n`, 'slow-lines')));
    // Some have written their numbered file already (the first step), none is finished.
    await eventually(() => sql<{ n: string }>(urlOf('runner'), "select count(*) as n from step_runs where step_id = 'number' and status = 'succeeded' and run_id in (select id from runs where status = 'running')"), (rows) => Number(rows[0]?.n) > 0, 30_000);
    const result = await runBackup(settings, instanceEnv, { output: archive(), compression: 'gzip', includeKeys: false }, () => undefined);
    expect(result.kind, JSON.stringify(result)).toBe('done');
    expect(await unfinished()).toBeGreaterThan(0);
  }, 120_000);

  it('after a stop, a wipe and a restore, every table\'s rows and every object\'s bytes are the archive\'s', async () => {
    await stopPlatform();
    // The reset: every service's database emptied and migrated again (an instance as `up` makes
    // it before its services first start; restore refuses databases with no schema at all), the
    // bucket emptied. The restore then finds an empty instance: no --wipe needed.
    for (const { name: service } of ADM_SERVICES) await emptyDatabase(urlOf(service));
    await migrateAll(localPlan(settings, secrets, undefined, { command: 'true', args: [], accessLog: '' }, instanceEnv), join(root, 'migrate-again.log'));
    await removeAllObjects(storeClient(), settings.bucket);
    expect(await objectHashes()).toEqual({});

    const restored = await runRestore(settings, instanceEnv, { file: archive(), wipe: false, confirm: async () => false }, () => undefined);
    expect(restored.kind, JSON.stringify(restored)).toBe('restored');

    // The reference is the archive itself, not the instance as it was just before the restore:
    // runs in flight kept writing after pg_dump's snapshot, so those rows legitimately moved on.
    // Each database's dump from the archive goes into a scratch database (pg_restore, as a
    // separate reader); the restored databases must hold exactly its rows, table by table. The
    // objects must be exactly the manifest's: the same keys, each with the sha256 it records.
    let manifest: Manifest | undefined;
    const source = createReadStream(archive());
    const head = await new Promise<Buffer>((resolve, reject) => createReadStream(archive(), { start: 0, end: 7 }).on('data', (b) => resolve(b as Buffer)).on('error', reject));
    for await (const entry of readEntries(source.pipe(decompressor(compressionOf(head))))) {
      if (entry.name === MANIFEST_NAME) {
        let text = '';
        for await (const chunk of entry.body) text += String(chunk);
        manifest = JSON.parse(text) as Manifest;
      } else if (entry.name.startsWith('databases/')) {
        const service = entry.name.slice('databases/'.length, -'.dump'.length) as ServiceName;
        const file = join(root, `${service}.dump`);
        await pipeline(entry.body, createWriteStream(file));
        const database = `${name}_reference_${service.replace('-', '_')}`;
        scratch.push(database);
        const url = await createEmptyDatabase(database);
        await restoreDatabase(url, file);
        const [expected, actual] = [await tablesOf(url), await tablesOf(urlOf(service))];
        expect(Object.keys(actual)).toEqual(Object.keys(expected));
        for (const table of Object.keys(expected)) expect(actual[table], `${service}.${table}`).toEqual(expected[table]);
        await dropDatabase(database);
      }
      // Objects are left unread (readEntries skips them): they are checked against the manifest below.
    }
    if (!manifest) throw new Error('no manifest in the archive');
    const expectedObjects = Object.fromEntries(manifest.parts.filter((p) => p.path.startsWith('objects/')).map((p) => [p.path.slice('objects/'.length), p.sha256]));
    // 100 runs with a file in and a file out are in it, at least.
    expect(Object.keys(expectedObjects).length).toBeGreaterThanOrEqual(2 * RUNS);
    expect(await objectHashes()).toEqual(expectedObjects);
    const finishedInArchive = restored.kind === 'restored' ? restored.summary.tables['runner']?.['runs'] ?? 0 : 0;
    expect(finishedInArchive).toBeGreaterThanOrEqual(RUNS + 1);
  }, 120_000);

  it('started again on the restored data: logins, the deployed workflow over HTTP, an old run\'s file output', async () => {
    await startOnInstance();
    expect(admin).toBeTruthy();
    const bea = await api('POST', '/authorization/login', { token: '', json: { username: 'bea', password: made.userPassword, project_id: made.projectB } });
    expect(bea.status, bea.text).toBe(200);
    const byKey = await eventually(() => api('GET', '/studio/project', { token: made.apiKey }), (a) => a.status === 200);
    expect(byKey.status, byKey.text).toBe(200);
    const answer = await api('POST', '/user-api/default/add-two', { token: '', json: { n: 40 } });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toEqual({ n: 42 });
    // The admin's token for the old run's project (a login without one may land in the project last used).
    const projectOfRun = (await sql<{ project_id: string }>(urlOf('runner'), 'select project_id::text from runs where id = $1', [made.oldRunId]))[0]?.project_id;
    const login = await api('POST', '/authorization/login', { token: '', json: { username: 'admin', password: ADMIN_PASSWORD, project_id: projectOfRun } });
    expect(login.status, login.text).toBe(200);
    const download = await api('GET', `/runner/runs/${made.oldRunId}/steps/number/outputs/numbered?inline=true`, { token: login.body.access_token as string });
    expect(download.status, download.text).toBe(200);
    expect(download.text).toBe(made.oldOutput);
  }, 120_000);
});
