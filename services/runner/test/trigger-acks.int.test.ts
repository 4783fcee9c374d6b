// Acknowledged trigger events (issue 19) on real runner processes (dist/main.js as children, so
// they can be killed with SIGKILL), Postgres, RabbitMQ, the object store and real wrappers. The
// trigger is broker-style (test/actions/file-queue): a message is a file, removed only once emit
// resolved. The runner is killed -9 while the run of an event is being committed (the insert held
// by a lock the test takes): the trigger's emit never resolved, the message stays, and the next
// runner process starts exactly one run for it, which the trigger then acknowledges. A runner
// restarted later hands the trigger the newest accepted event as lastEvent.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateSealingKeyPair } from '@trellis/platform/crypto/sealed-box';
import { eventually } from '@trellis/platform/testing/eventually';
import { randomUUID } from 'node:crypto';
import { publishAs } from '@trellis/platform/testing/service-harness';
import * as studio from '../src/infrastructure/pb/studio/v1/events.js';
import { LEASE_MS, useEngineRunner } from './engine-support.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/main.js');

const { service, build, knownProject } = useEngineRunner();
/** The test's own pool on the file's database (the in-process runner's closes with it). */
const db = () => service.database.db;

let projectId = '';
let queue: studio.PinnedAction;
let addOne: studio.PinnedAction;

type Child = { child: ChildProcess; exited: Promise<unknown>; output: () => string };
const children: Child[] = [];

/** A runner process (its real main.js) on the test's database, vhost and store; resolves once it listens. */
async function startRunnerProcess(): Promise<Child> {
  const store = service.store.config;
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env['PATH'] ?? '', TRELLIS_HTTP_PORT: '0', TRELLIS_LOG_LEVEL: 'info',
      TRELLIS_DATABASE_URL: service.database.url, TRELLIS_AMQP_URL: service.vhost.url, TRELLIS_AUTH_JWKS_URL: service.jwks.url,
      TRELLIS_S3_ENDPOINT: store.endpoint, TRELLIS_S3_ACCESS_KEY: store.accessKey, TRELLIS_S3_SECRET_KEY: store.secretKey, TRELLIS_S3_BUCKET: store.bucket,
      TRELLIS_MESSAGE_RETRY_DELAYS_MS: '100,200,400', TRELLIS_SEALING_KEY: generateSealingKeyPair().privateKey, TRELLIS_RUNNER_LEASE_MS: String(LEASE_MS),
      TRELLIS_RUNNER_WORK_DIR: await mkdtemp(path.join(tmpdir(), 'trellis-trigger-acks-')),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a kill -9 takes the runner down at once, as a node failing would.
    detached: true,
  });
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const started: Child = { child, exited, output: () => output };
  children.push(started);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the runner did not start:\n${output.slice(-4000)}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output = (output + String(chunk)).slice(-200_000);
      if (!/"message":"listening"/.test(output)) return;
      clearTimeout(timer);
      resolve(started);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(() => reject(new Error(`the runner exited:\n${output.slice(-4000)}`)));
  });
}

/** Deploys as studio does (engine-support's deploy, read through the test's own pool: the in-process runner is stopped) and waits until it serves. */
async function deploy(document: Record<string, unknown>, actions: readonly studio.PinnedAction[]): Promise<string> {
  const workflowId = randomUUID();
  await publishAs(service.vhost.url, 'studio', 'trellis.studio.v1.WorkflowDeployRequested', studio.WorkflowDeployRequested.encode(studio.WorkflowDeployRequested.fromPartial({
    meta: { eventId: randomUUID(), occurredAt: new Date(), projectId, traceId: 'trace' }, workflowId, workflowName: String(document['name']), version: 1,
    checksum: 'c'.repeat(64), deploymentId: randomUUID(), documentJson: JSON.stringify({ apiVersion: 'trellis.dev/v1', kind: 'Workflow', ...document }),
    actions: [...actions], requestedBy: randomUUID(), files: [],
  })).finish());
  await eventually(() => db().selectFrom('deployments').select('status').where('workflow_id', '=', workflowId).executeTakeFirst(), (row) => row?.status === 'active', 60_000);
  return workflowId;
}

type Line = { pid: number; start?: unknown; emit?: number; acked?: number; nacked?: number; code?: string };

const journalOf = (dir: string): Line[] => {
  try {
    return readFileSync(path.join(dir, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Line);
  } catch {
    return [];
  }
};
const journalUntil = (dir: string, done: (lines: Line[]) => boolean) => eventually(async () => journalOf(dir), done, 60_000);
const runsOf = (workflowId: string) => db().selectFrom('runs').select(['id', 'trigger_outputs', 'status']).where('workflow_id', '=', workflowId).execute();

/** The runner's backends waiting for a lock on an insert into runs. */
const blockedInserts = async () =>
  (await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike '%insert into runs%'`.execute(db())).rows;

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` (make test does) before this test`);
  projectId = await knownProject();
  [queue, addOne] = await build(['services/runner/test/actions/file-queue', 'examples/actions/add-one']) as [studio.PinnedAction, studio.PinnedAction];
  // The runner processes of this file are the children: the in-process one must not take the trigger's lock.
  await service.running.stop();
}, 120_000);

afterEach(async () => {
  for (const { child } of children) if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid ?? 0), 'SIGKILL');
  await Promise.all(children.splice(0).map((runner) => runner.exited));
}, 30_000);

/** Holds `lock table runs in share mode` in a transaction of its own until `release` is called. */
function lockRuns(): Promise<{ release: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((done) => (release = done));
    const transaction = db().transaction().execute(async (trx) => {
      await sql`lock table runs in share mode`.execute(trx);
      resolve({ release: async () => { release(); await transaction; } });
      await held;
    });
    transaction.catch(reject);
  });
}

describe('an acknowledged trigger event', () => {
  it('is not acknowledged when the runner dies before its run commits; the next runner starts exactly one run for it, then lastEvent resumes', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'trellis-file-queue-'));
    await mkdir(path.join(dir, 'queue'));
    const first = await startRunnerProcess();
    const workflowId = await deploy({
      name: 'file-queue', trigger: { type: 'action', action: 'file-queue@1.0.0', inputs: { dir } },
      steps: [{ id: 'next', action: 'add-one@1.0.0', inputs: { n: '${{ trigger.n }}' } }], results: { n: '${{ steps.next.n }}' },
    }, [queue, addOne]);
    await journalUntil(dir, (lines) => lines.some((line) => 'start' in line));

    // The run of message 1 cannot commit: its insert waits for the test's lock.
    const lock = await lockRuns();
    writeFileSync(path.join(dir, 'queue', '1.json'), '{}');
    const blocked = await eventually(blockedInserts, (rows) => rows.length > 0, 30_000);
    expect(journalOf(dir).filter((line) => line.acked !== undefined)).toEqual([]);

    process.kill(-(first.child.pid ?? 0), 'SIGKILL');
    await first.exited;
    // Postgres notices a dead client only when it next talks to it: end its waiting insert, as a keepalive would.
    for (const { pid } of blocked) await sql`select pg_terminate_backend(${pid})`.execute(db());
    await lock.release();
    expect(await runsOf(workflowId)).toEqual([]);
    expect(journalOf(dir).filter((line) => line.acked !== undefined)).toEqual([]);
    expect(existsSync(path.join(dir, 'queue', '1.json'))).toBe(true);

    // Another runner process: the trigger starts again (nothing accepted yet: no lastEvent), the message is delivered again, once.
    const second = await startRunnerProcess();
    const afterRestart = await journalUntil(dir, (lines) => lines.some((line) => line.acked === 1));
    const starts = afterRestart.filter((line) => 'start' in line);
    expect(starts.at(-1)?.start).toBeNull();
    const runs = await eventually(() => runsOf(workflowId), (rows) => rows.length === 1 && rows[0]?.status === 'succeeded', 30_000);
    expect(runs.map((row) => row.trigger_outputs)).toEqual([{ n: 1 }]);
    // Acknowledged only after the run existed: the run row is there, and the message is gone.
    expect(existsSync(path.join(dir, 'queue', '1.json'))).toBe(false);

    writeFileSync(path.join(dir, 'queue', '2.json'), '{}');
    await journalUntil(dir, (lines) => lines.some((line) => line.acked === 2));
    second.child.kill('SIGTERM');
    await second.exited;
    const startsBefore = journalOf(dir).filter((line) => 'start' in line).length;
    await startRunnerProcess();
    const resumed = await journalUntil(dir, (lines) => lines.filter((line) => 'start' in line).length > startsBefore);
    expect(resumed.filter((line) => 'start' in line).at(-1)?.start).toEqual({ n: 2 });
    expect((await runsOf(workflowId)).map((row) => (row.trigger_outputs as { n: number }).n).sort()).toEqual([1, 2]);
  }, 240_000);
});
