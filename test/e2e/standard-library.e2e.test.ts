// The standard library through the gateway (issue 19): a platform whose repository service is
// given TRELLIS_STANDARD_LIBRARY_DIR, the REAL actions/ folder (as every install gives it), which
// the service commits itself into its work folder (so its own materialising is proven on the real
// library), shows a project's standard actions in its library (category standard), built by the
// normal builder (npm ci per action from the folder's own package-lock.json), with no
// one asking for a scan or a build. Actions are restricted to those the scan finds valid. Then two
// workflows made of them run end to end: an HTTP trigger -> http-request -> transform answering the
// caller, and an mqtt-subscribe trigger -> sql-query writing each message into PostgreSQL (the
// machine's Mosquitto on 1883 and PostgreSQL on 5432).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBehindGateway, type Answer, type BehindGateway, type RequestOptions } from './behind-gateway.js';
import { eventually, NETWORK_ENV, ROOT } from './harness.js';
import { ADMIN_PASSWORD } from './platform.js';

/** Present in the library whenever their folders are (others are being written alongside). */
const MUST_BUILD = ['http-request', 'transform', 'hash'];
const BUILD_WITHIN_MS = 5 * 60_000;

let env: BehindGateway;
let scratch: string;
/** The service's own repository of the library (in its work folder, the test's scratch) and the action folders it holds. */
let library: { url: string; commit: string; actions: string[] };
let admin: string;

const api = (method: string, route: string, options: RequestOptions = {}): Promise<Answer> => env.api(method, route, { ...options, token: options.token ?? admin });


const suffix = randomBytes(4).toString('hex');
const topic = `trellis-e2e/${suffix}/readings`;
const database = `trellis_e2e_stdlib_${suffix}`;
let weather: Server | undefined;
let weatherBase = '';
const asked: string[] = [];

async function postgres<T extends pg.QueryResultRow>(db: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: db });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function deployed(yaml: string): Promise<string> {
  const imported = await api('POST', '/studio/workflows/import', { yaml });
  expect(imported.status, imported.text).toBe(201);
  expect(imported.body.problems).toEqual([]);
  expect((await api('POST', `/studio/workflows/${imported.body.id}/deploy`)).status).toBe(202);
  const done = await eventually(() => api('GET', `/studio/workflows/${imported.body.id}`), (a) => ['deployed', 'failed'].includes(a.body.deployment?.status), 120_000);
  expect(done.body.deployment, JSON.stringify(done.body.deployment)).toMatchObject({ status: 'deployed' });
  return imported.body.id as string;
}

/** A small JSON API of the test's own: what http-request calls. */
async function startWeather(): Promise<void> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    asked.push(`${request.method} ${url.pathname}${url.search}`);
    const city = url.searchParams.get('city') ?? '';
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ city, readings: [{ at: '06:00', celsius: 11 }, { at: '12:00', celsius: 19 }, { at: '18:00', celsius: 15 }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  weather = server;
  weatherBase = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

type ScannedAction = { id: string; version: string; build: { status: string; reason: string | null } | null };

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'trellis-e2e-stdlib-'));
  const actionsDir = path.join(ROOT, 'actions');
  env = await startBehindGateway({
    overrides: (name): Record<string, string> => (
      // The work folder is the test's own: the library's repository is written there, not in a /tmp other runs share.
      name === 'repository' ? { TRELLIS_STANDARD_LIBRARY_DIR: actionsDir, TRELLIS_SCAN_WORK_DIR: scratch, TRELLIS_GIT_ALLOW_FILE_URLS: 'false' }
        : name === 'action-builder' ? { ...NETWORK_ENV, TRELLIS_BUILD_PARALLELISM: '2' }
          // The workflows below call the test's own servers on loopback: this instance allows it (off by default).
          : name === 'runner' ? { TRELLIS_ACTIONS_ALLOW_PRIVATE_NETWORK: 'true' }
          : {}),
  });
  const repository = path.join(scratch, 'trellis-standard-library.git');
  const { stdout } = await promisify(execFile)('git', ['--git-dir', repository, 'rev-parse', 'main']);
  library = {
    url: pathToFileURL(repository).href,
    commit: stdout.trim(),
    actions: readdirSync(actionsDir).filter((folder) => existsSync(path.join(actionsDir, folder, 'trellis.yaml'))),
  };
  admin = (await api('POST', '/authorization/login', { token: '', json: { username: 'admin', password: ADMIN_PASSWORD } })).body.access_token;
  for (const service of ['repository', 'studio']) await eventually(() => api('GET', `/${service}/project`), (a) => a.status === 200);
}, 120_000);

afterAll(async () => {
  await env?.stop();
  await new Promise((resolve) => (weather ? weather.close(resolve) : resolve(undefined)));
  await postgres('postgres', `drop database if exists ${database} with (force)`).catch(() => undefined);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('the standard library', () => {
  let sourceId: string;
  let actions: ScannedAction[];

  it('is in the project as a source managed by Trellis, scanned on its own at the library\'s commit', async () => {
    const sources = await eventually(() => api('GET', '/repository/sources'), (a) => a.status === 200 && a.body.items.length > 0);
    expect(sources.body.items).toEqual([expect.objectContaining({ name: 'standard', url: library.url, managed: true, created_by: 'trellis' })]);
    sourceId = sources.body.items[0].id;
    const source = await eventually(() => api('GET', `/repository/sources/${sourceId}`), (a) => ['done', 'failed'].includes(a.body.last_scan?.status), 90_000);
    expect(source.body.last_scan).toMatchObject({ status: 'done', commit: library.commit, requested_by: 'trellis' });
    if (source.body.last_scan.problems.length > 0) console.log('standard library scan problems:', JSON.stringify(source.body.last_scan.problems, null, 2));
    actions = source.body.last_scan.actions;
    for (const id of MUST_BUILD.filter((must) => library.actions.includes(must))) expect(actions.map((a) => a.id)).toContain(id);
  }, 120_000);

  it('builds every action of it with the normal builder, within five minutes, and studio\'s library lists them under standard', async () => {
    // A short view of each build, so a timeout says where each one stands (not the whole source).
    const builds = async () => ((await api('GET', `/repository/sources/${sourceId}`)).body.last_scan.actions as ScannedAction[])
      .map((action) => ({ id: action.id, version: action.version, status: action.build?.status ?? 'none', reason: action.build?.reason ?? null }));
    const ended = await eventually(builds, (all) => all.every((build) => ['built', 'failed', 'canceled'].includes(build.status)), BUILD_WITHIN_MS);
    const failed = ended.filter((build) => build.status !== 'built');
    for (const build of failed) console.log(`standard library: ${build.id} did not build: ${build.reason}`);
    expect(failed.map((build) => build.id)).toEqual([]);

    type LibraryItem = { id: string; version: string; digest: string; categories: string[] };
    const standardActions = async (): Promise<LibraryItem[]> => {
      const answer = await api('GET', '/studio/actions?category=standard&limit=200');
      return answer.status === 200 ? (answer.body.items as LibraryItem[]).map(({ id, version, digest, categories }) => ({ id, version, digest, categories })) : [];
    };
    const listed = await eventually(standardActions, (items) => ended.every((build) => items.some((item) => item.id === build.id)), 60_000);
    for (const build of ended) {
      const item = listed.find((i) => i.id === build.id);
      expect(item, build.id).toMatchObject({ version: build.version, digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(item?.categories, build.id).toContain('standard');
    }
    for (const id of MUST_BUILD.filter((must) => library.actions.includes(must))) expect(listed.map((item) => item.id)).toContain(id);
  }, BUILD_WITHIN_MS + 90_000);

  it('cannot be changed or deleted, not even by the admin (409 managed_source)', async () => {
    const patched = await api('PATCH', `/repository/sources/${sourceId}`, { json: { branch: 'dev' } });
    expect(patched.status).toBe(409);
    expect(patched.body.code).toBe('managed_source');
    const deleted = await api('DELETE', `/repository/sources/${sourceId}`);
    expect(deleted.status).toBe(409);
    expect(deleted.body.code).toBe('managed_source');
  });
});

describe('the standard library in workflows, end to end', () => {
  beforeAll(async () => {
    await startWeather();
    await postgres('postgres', `create database ${database}`);
    await postgres(database, 'create table readings (id serial primary key, sensor text not null, celsius numeric not null, topic text not null)');
    expect((await api('PUT', '/studio/secrets/READINGS_DB_PASSWORD', { json: { value: 'not-checked-by-trust-auth' } })).status).toBeLessThan(300);
  });

  it('http trigger -> http-request -> transform: the caller gets the reshaped answer of the API', async () => {
    await deployed([
      'apiVersion: trellis.dev/v1', 'kind: Workflow', 'name: city-weather',
      'trigger:', '  type: http', '  path: city-weather', '  auth: none', '  timeout: 60s', '  inputs:', '    - { name: city, type: string }',
      'steps:',
      '  - id: fetch', '    action: http-request', '    inputs:', `      url: ${weatherBase}/forecast`, '      query: { city: "${{ trigger.city }}" }', '      response_as: json',
      '  - id: shape', '    action: transform', '    inputs:', '      data: ${{ steps.fetch.body_json }}',
      '      expression: \'{ "city": city, "warmest": $max(readings.celsius), "mean": $round($average(readings.celsius), 1) }\'',
      'results:', '  forecast: ${{ steps.shape.result }}', '  status: ${{ steps.fetch.status }}', '',
    ].join('\n'));
    const answer = await api('POST', '/user-api/default/city-weather', { token: '', json: { city: 'Grenoble' } });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toEqual({ forecast: { city: 'Grenoble', warmest: 19, mean: 15 }, status: 200 });
    expect(asked).toContain('GET /forecast?city=Grenoble');
  }, 120_000);

  it('mqtt-subscribe -> sql-query: each message published becomes a row, once', async () => {
    await deployed([
      'apiVersion: trellis.dev/v1', 'kind: Workflow', 'name: store-readings',
      'trigger:', '  type: action', '  action: mqtt-subscribe', '  inputs:', '    url: mqtt://127.0.0.1:1883', `    topic: ${topic}/#`, `    client_id: trellis-e2e-${suffix}`,
      'steps:',
      '  - id: store', '    action: sql-query', '    inputs:', '      dialect: postgres', '      host: 127.0.0.1', `      database: ${database}`, '      user: postgres',
      '      password: ${{ secrets.READINGS_DB_PASSWORD }}',
      '      ssl: disable',
      '      query: insert into readings (sensor, celsius, topic) values ($1, $2, $3)',
      '      parameters: ["${{ trigger.payload_json.sensor }}", "${{ trigger.payload_json.celsius }}", "${{ trigger.topic }}"]', '',
    ].join('\n'));
    // The trigger subscribes once it listens (its persistent session keeps what comes after).
    await eventually(() => api('GET', '/runner/deployments'), (a) => (a.body.items ?? a.body).some((d: { name: string; trigger_action: { status: string } | null }) => d.name === 'store-readings' && d.trigger_action?.status === 'listening'), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const client = await mqtt.connectAsync('mqtt://127.0.0.1:1883', { clientId: `publisher-${suffix}` });
    try {
      for (let n = 1; n <= 5; n++) await client.publishAsync(`${topic}/s${n}`, JSON.stringify({ sensor: `s${n}`, celsius: 10 + n }), { qos: 1 });
    } finally {
      await client.endAsync();
    }
    const rows = await eventually(
      () => postgres<{ sensor: string; celsius: string; topic: string }>(database, 'select sensor, celsius, topic from readings order by sensor'),
      (found) => found.length >= 5, 90_000,
    ).catch(async (error: unknown) => {
      // Say why: the runs the trigger made and how they ended.
      const runs = await api('GET', '/runner/runs?limit=20');
      const deployments = await api('GET', '/runner/deployments');
      throw new Error(`${String(error)}\nruns: ${runs.text.slice(0, 3000)}\ndeployments: ${deployments.text.slice(0, 2000)}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await postgres(database, 'select sensor, celsius, topic from readings order by sensor')).toEqual(
      rows.slice(0, 5).map((_, i) => ({ sensor: `s${i + 1}`, celsius: String(11 + i), topic: `${topic}/s${i + 1}` })),
    );
    const runs = await api('GET', '/runner/runs?limit=50');
    expect(runs.status).toBe(200);
  }, 180_000);
});
