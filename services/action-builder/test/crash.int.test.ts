// The builder killed with SIGKILL in the middle of a build (its real main.js, as a child
// process): after a restart the build is taken again from the start, as attempt 2, completes
// once, and the broker carries exactly one ActionBuilt for it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { declareEmitterExchange } from '@trellis/platform/amqp/topology';
import { eventually } from '@trellis/platform/testing/eventually';
import { startTestObjectStore, type TestObjectStore } from '@trellis/platform/testing/object-store';
import { createTestDatabase, type TestDatabase } from '@trellis/platform/testing/postgres';
import { createTestVhost, type TestVhost } from '@trellis/platform/testing/rabbitmq';
import { startTestJwks, type TestJwks } from '@trellis/platform/testing/tokens';
import { migrations } from '../src/infrastructure/postgres/migrations.js';
import type { Database } from '../src/infrastructure/postgres/schema.js';
import { nodeAction } from './fixtures/actions.js';
import { packNpmPackage, startFakeRegistry, type FakeRegistry } from './fixtures/npm-registry.js';
import { announceProject, api, declareTestTopology, makeEventLog, RETRY_DELAYS_MS, requestBuild, storeSource } from './support.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/main.js');

type Builder = { child: ChildProcess; url: string; exited: Promise<number | null>; output: () => string };

let scratch: string;
let registry: FakeRegistry;
let database: TestDatabase<Database>;
let vhost: TestVhost;
let store: TestObjectStore;
let jwks: TestJwks;
const running: Builder[] = [];

/** The builder's real main.js, on the test's database, vhost, store and registry; resolves once it listens. */
function startBuilder(): Promise<Builder> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env['PATH'] ?? '', TRELLIS_HTTP_PORT: '0', TRELLIS_LOG_LEVEL: 'info',
      TRELLIS_DATABASE_URL: database.url, TRELLIS_AMQP_URL: vhost.url, TRELLIS_AUTH_JWKS_URL: jwks.url,
      TRELLIS_S3_ENDPOINT: store.config.endpoint, TRELLIS_S3_ACCESS_KEY: store.config.accessKey, TRELLIS_S3_SECRET_KEY: store.config.secretKey,
      TRELLIS_S3_BUCKET: store.config.bucket, TRELLIS_MESSAGE_RETRY_DELAYS_MS: RETRY_DELAYS_MS.join(','),
      TRELLIS_BUILD_WORK_DIR: path.join(scratch, 'work'), TRELLIS_NPM_REGISTRY: registry.url,
      // A lease that expires soon after the kill, and a poll that notices it.
      TRELLIS_BUILD_LEASE_MS: '3000', TRELLIS_BUILD_POLL_MS: '500',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the builder did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += String(chunk);
      const port = /"message":"listening".*?"port":(\d+)/.exec(output)?.[1];
      if (!port) return;
      clearTimeout(timer);
      const builder = { child, url: `http://127.0.0.1:${port}/builder`, exited, output: () => output };
      running.push(builder);
      resolve(builder);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`the builder exited with ${String(code)}:\n${output}`)));
  });
}

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` (make test does) before this test`);
  scratch = await mkdtemp(path.join(tmpdir(), 'trellis-crash-'));
  registry = await startFakeRegistry({ 'crash-shout': { version: '1.0.0', tarball: await packNpmPackage(scratch, 'crash-shout', '1.0.0') } });
  [database, vhost, store, jwks] = await Promise.all([createTestDatabase<Database>({ service: 'action-builder', migrations }), createTestVhost(), startTestObjectStore(), startTestJwks()]);
  const connection = await amqp.connect(vhost.url);
  try {
    const channel = await connection.createChannel();
    await declareEmitterExchange(channel, 'authorization');
    await declareTestTopology(channel);
  } finally {
    await connection.close();
  }
}, 60_000);

afterAll(async () => {
  for (const builder of running) if (builder.child.exitCode === null && builder.child.signalCode === null) builder.child.kill('SIGTERM');
  await Promise.all(running.map((builder) => builder.exited));
  await registry?.close();
  await jwks?.close();
  await Promise.all([database?.close(), vhost?.close(), store?.close()]);
  await rm(scratch, { recursive: true, force: true });
}, 60_000);

it('takes a build again after the builder is killed mid-build, and builds it once', async () => {
  const events = makeEventLog(() => vhost.url);
  registry.hold('crash-shout');
  const first = await startBuilder();
  const projectId = await announceProject(vhost.url, database.db);
  const source = await storeSource(store, projectId, nodeAction('crash-shout', 'crash'));
  const { buildId } = await requestBuild(vhost.url, { projectId, actionId: 'crash', source });

  // In the middle: npm waits for the registry.
  const lines = () => database.db.selectFrom('build_log_lines').select('text').where('build_id', '=', buildId).orderBy('line_no').execute();
  const pid = Number(/\[pid (\d+)\]/.exec((await eventually(lines, (rows) => rows.some((row) => row.text.includes('[pid '))))
    .map((row) => row.text).join('\n'))?.[1]);
  first.child.kill('SIGKILL');
  expect(await first.exited).toBeNull();
  // What the killed process had started outlives it (no container here to take it down): end it as a supervisor would.
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // gone already
  }
  expect(await database.db.selectFrom('builds').select(['state', 'attempt']).where('id', '=', buildId).executeTakeFirst()).toEqual({ state: 'running', attempt: 1 });

  const second = await startBuilder();
  registry.release('crash-shout');
  const ended = await events.ending(buildId, 90_000);
  expect(ended.map((event) => [event.type, (event.message as { attempt?: number }).attempt])).toEqual([
    ['ActionBuildStarted', 1], ['ActionBuildStarted', 2], ['ActionBuilt', undefined],
  ]);
  const token = await jwks.sign({ projectId, role: 'viewer' });
  expect((await api(`${second.url}/builds/${buildId}`, { token })).json()).toMatchObject({ state: 'succeeded', attempt: 2 });
  const log = (await api(`${second.url}/builds/${buildId}/logs`, { token })).text;
  expect(log).toContain('[builder] attempt 1: crash 1.0.0');
  expect(log).toContain('[builder] attempt 2: crash 1.0.0');

  // Nothing more about it arrives after another build has been through the whole path.
  const { buildId: sentinel } = await requestBuild(vhost.url, { projectId, actionId: 'crash', source });
  await events.ending(sentinel, 90_000);
  expect(events.of(buildId).filter((event) => event.type === 'ActionBuilt')).toHaveLength(1);
  expect(second.output()).toContain('"message":"build started"');
}, 180_000);
