import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import pg from 'pg';
import { startEmbeddedS3, type EmbeddedS3 } from '@trellis/platform/embedded-s3';
import { makeObjectStore } from '@trellis/platform/object-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES, type ServiceName } from '../src/catalog.js';
import { doctor } from '../src/commands/doctor.js';
import { migrateAll } from '../src/local/migrate-all.js';
import { localPlan } from '../src/local/plan.js';
import { objectStoreEndpoint, serviceEnv } from '../src/local/service-env.js';
import { localSettingsFromEnv } from '../src/local/settings.js';
import { dropInstanceResources, findInstanceResources } from '../src/provision/instance-resources.js';
import { ensureBucket } from '../src/provision/object-store.js';
import { postgresAdminFromEnv } from '../src/provision/postgres.js';
import { rabbitAdminFromEnv } from '../src/provision/rabbitmq.js';
import type { Secrets } from '../src/secrets.js';
import { freePort, provisionLocalInstance, recordedOutput, testPrefix } from './fixtures.js';

/**
 * `trellis-adm doctor` on an instance of its own (own name, state directory, object store port),
 * provisioned and migrated as `up` does, on the shared PostgreSQL and RabbitMQ: the services do
 * not run. Broken things are made by hand (a closed broker port, a dead letter, a run whose
 * runner is gone), never by stopping the shared servers other tests use.
 */
const name = testPrefix();
const admins = { postgres: postgresAdminFromEnv(), rabbitmq: rabbitAdminFromEnv() };
let root = '';
let env: NodeJS.ProcessEnv = {};
let secrets: Secrets;
let store: EmbeddedS3;

async function again(work: () => Promise<void>, attempts = 3): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    }
  }
}

async function runDoctor(args: string[] = [], environment = env): Promise<{ code: number; lines: string[]; text: string }> {
  const { out, text } = recordedOutput();
  const code = await doctor(out, args, environment);
  return { code, text: text(), lines: text().trimEnd().split('\n') };
}

function urlOf(service: ServiceName, variable: 'TRELLIS_DATABASE_URL' | 'TRELLIS_AMQP_URL'): string {
  const info = SERVICES.find((s) => s.name === service);
  if (!info) throw new Error(service);
  return serviceEnv(localSettingsFromEnv(env), secrets, info, undefined)[variable] ?? '';
}

async function asService<T>(service: ServiceName, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: urlOf(service, 'TRELLIS_DATABASE_URL') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function management(method: string, path: string): Promise<Response> {
  const { apiUrl, user, password } = admins.rabbitmq;
  return fetch(`${apiUrl}/api${path}`, { method, headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } });
}

describe('trellis-adm doctor', () => {
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'trellis-adm-doctor-'));
    env = { ...process.env, TRELLIS_STATE_DIR: join(root, '.trellis'), TRELLIS_INSTANCE: name, TRELLIS_S3_PORT: String(await freePort()) };
    const settings = localSettingsFromEnv(env);
    // What `up` does before it starts anything: provisioning, then every service's migrations and
    // queues. The shared PostgreSQL may be full for a moment (other tests' instances): both are
    // idempotent, so they may try again.
    await again(async () => {
      ({ secrets } = await provisionLocalInstance(env));
      await migrateAll(localPlan(settings, secrets, undefined, { command: 'true', args: [], accessLog: '' }, env), join(root, 'migrate.log'));
    });
    store = await startEmbeddedS3({ host: '127.0.0.1', port: settings.s3Port, directory: join(root, 's3'), accessKey: secrets.s3AccessKey, secretKey: secrets.s3SecretKey });
    await ensureBucket({ endpoint: objectStoreEndpoint(settings), accessKey: secrets.s3AccessKey, secretKey: secrets.s3SecretKey, bucket: settings.bucket, region: settings.region });
  }, 180_000);

  afterAll(async () => {
    try {
      await store?.close();
      await dropInstanceResources(admins, await findInstanceResources(admins, name));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('says all is well of a healthy instance (its stopped services only warn) and exits 0', async () => {
    const { code, lines, text } = await runDoctor();
    expect(lines.filter((line) => line.startsWith('FAIL')), text).toEqual([]);
    for (const service of SERVICES) {
      expect(text).toMatch(new RegExp(`^ok   database +${service.name}: reachable \\(\\d+ ms\\)$`, 'm'));
      expect(text).toMatch(new RegExp(`^ok   broker +${service.name}: reachable \\(\\d+ ms\\)$`, 'm'));
    }
    expect(text).toMatch(/^ok {3}broker +alarms: none \(publishers are not blocked\)$/m);
    expect(text).toMatch(/^warn queue +every queue of .*: no consumer on any of the \d+ queues \(nothing waiting\)/m);
    expect(text).toMatch(/^ok {3}dead-letter +every queue: no dead-lettered message/m);
    expect(text).toMatch(/^ok {3}outbox +every service: nothing waiting to be published$/m);
    expect(text).toMatch(/^ok {3}runs +runner: no run stuck/m);
    expect(text).toMatch(/^ok {3}builds +action-builder: no build waiting or running$/m);
    expect(text).toMatch(new RegExp(`^ok   object-store +${name.replaceAll('_', '-')}: 0 objects, 0 B$`, 'm'));
    expect(text).toMatch(/^ok {3}keys +TRELLIS_SECRET_KEY: present, the instance's/m);
    // No supervisor runs here: the platform is stopped, which warns.
    expect(text).toMatch(/^warn platform +supervisor: not running/m);
    expect(lines.at(-1)).toMatch(/^doctor: \d+ ok, 2 warnings, 0 failures: working, with warnings$/);
    expect(code).toBe(0);
  });

  it('--json prints the findings as a JSON array', async () => {
    const { code, text } = await runDoctor(['--json']);
    const checks = JSON.parse(text) as { check: string; subject: string; status: string; detail: string }[];
    expect(checks.find((c) => c.check === 'database' && c.subject === 'runner')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^reachable/) });
    expect(checks.every((c) => ['ok', 'warn', 'fail'].includes(c.status) && typeof c.detail === 'string')).toBe(true);
    expect(code).toBe(0);
  });

  it("counts a queue's consumers as the broker knows them now (the management API's lag behind)", async () => {
    const connection = await amqp.connect(urlOf('studio', 'TRELLIS_AMQP_URL'));
    try {
      const channel = await connection.createChannel();
      await channel.consume('trellis.studio.events', () => undefined);
      const { code, text } = await runDoctor();
      expect(text).toMatch(/^ok {3}queue +trellis\.studio\.events: 0 messages waiting, 1 consumer$/m);
      expect(text).toMatch(/^warn queue +trellis\.runner\.events: no consumer \(nothing waiting\) \(is runner running\?/m);
      expect(code).toBe(0);
    } finally {
      await connection.close();
    }
  });

  it('reports a broker that does not answer in one FAIL line and exits 1', async () => {
    const closed = String(await freePort());
    const { code, lines, text } = await runDoctor([], { ...env, TRELLIS_AMQP_PORT: closed });
    expect(lines.filter((line) => line.startsWith('FAIL')), text).toEqual([
      `FAIL broker        every service: connection refused at 127.0.0.1:${closed} (is RabbitMQ running? \`rabbitmq-server -detached\`, or \`make up\`)`,
    ]);
    expect(code).toBe(1);
  });

  it('reports a dead-lettered message with how many, how old and which event, and leaves it where it is', async () => {
    const connection = await amqp.connect(urlOf('studio', 'TRELLIS_AMQP_URL'));
    const channel = await connection.createConfirmChannel();
    channel.sendToQueue('trellis.studio.events.dead', Buffer.from('x'), {
      persistent: true, type: 'trellis.runner.v1.WorkflowDeployed', messageId: randomUUID(),
      headers: { 'x-trellis-dead-at': new Date(Date.now() - 5 * 60_000).toISOString(), 'x-trellis-dead-reason': 'handler failed 4 times: boom' },
    });
    await channel.waitForConfirms();
    await connection.close();
    try {
      const first = await runDoctor();
      const failures = first.lines.filter((line) => line.startsWith('FAIL'));
      expect(failures).toEqual([
        expect.stringMatching(/^FAIL dead-letter +trellis\.studio\.events\.dead: 1 message, oldest dead-lettered 5 min ago; events: trellis\.runner\.v1\.WorkflowDeployed x1; reason: handler failed 4 times: boom \(studio gave up on them; see docs\/operations\.md#dead-letters/),
      ]);
      expect(first.code).toBe(1);
      // Read, not taken: the next look finds it again.
      expect((await runDoctor()).lines.filter((line) => line.startsWith('FAIL'))).toEqual(failures);
    } finally {
      await management('DELETE', `/queues/${encodeURIComponent(name)}/trellis.studio.events.dead/contents`);
    }
  });

  it('reports a run whose runner lost its lease, by id, and exits 1', async () => {
    const ids = { project: randomUUID(), workflow: randomUUID(), process: randomUUID(), run: randomUUID() };
    await asService('runner', async (db) => {
      await db.query('insert into projects (id, name, created_at) values ($1, $2, now())', [ids.project, 'doctor']);
      await db.query(`insert into deployed_versions (workflow_id, version, project_id, name, checksum, document, actions, files, received_at)
        values ($1, 1, $2, 'w', 'c', '{}', '[]', '[]', now())`, [ids.workflow, ids.project]);
      // A runner process that stopped heartbeating an hour ago, and the run it held.
      await db.query(`insert into runner_processes (id, host, pid, started_at, heartbeat_at) values ($1, 'gone', 1, now() - interval '2 hours', now() - interval '1 hour')`, [ids.process]);
      await db.query(`insert into runs (id, project_id, workflow_id, version, status, trigger_type, trigger_outputs, owner, created_at, started_at)
        values ($1, $2, $3, 1, 'running', 'manual', '{}', $4, now() - interval '61 minutes', now() - interval '61 minutes')`, [ids.run, ids.project, ids.workflow, ids.process]);
    });
    try {
      const { code, lines, text } = await runDoctor();
      expect(lines.filter((line) => line.startsWith('FAIL')), text).toEqual([
        expect.stringMatching(new RegExp(`^FAIL runs +runner: 1 run stuck with an expired lease: ${ids.run} \\(running since 61 min\\); the oldest lease ended (59|60) min ago \\(a running runner takes them over`)),
      ]);
      expect(code).toBe(1);
    } finally {
      await asService('runner', (db) => db.query('delete from projects where id = $1', [ids.project]));
    }
  });

  it('reports a build no builder holds any more and an outbox that does not drain, and exits 1', async () => {
    const ids = { project: randomUUID(), build: randomUUID(), message: randomUUID() };
    await asService('action-builder', async (db) => {
      await db.query('insert into projects (id, name, created_at) values ($1, $2, now())', [ids.project, 'doctor']);
      await db.query(`insert into builds (id, project_id, source_id, source_name, commit, folder, action_id, version, source_object, source_sha256, requested_by, trace_id,
          requested_at, state, attempt, lease_owner, lease_expires_at, started_at)
        values ($1, $2, $3, 'src', 'abc', 'echo', 'echo', '1.0.0', 'o', 's', 'u', 't', now() - interval '13 minutes', 'running', 1, $4, now() - interval '10 minutes', now() - interval '12 minutes')`,
      [ids.build, ids.project, randomUUID(), randomUUID()]);
    });
    await asService('studio', (db) => db.query(`insert into outbox (message_id, exchange, message_type, payload, occurred_at, created_at, attempts, last_error)
      values ($1, 'trellis.studio', 'trellis.studio.v1.WorkflowSaved', '\\x00', now(), now() - interval '10 minutes', 4, 'channel closed')`, [ids.message]));
    try {
      const { code, lines, text } = await runDoctor();
      expect(lines.filter((line) => line.startsWith('FAIL')), text).toEqual([
        'FAIL outbox        studio: 1 message not published yet, the oldest for 10 min, tried up to 4 times; last error: channel closed (studio publishes them once it runs and reaches the broker: `trellis-adm status`, `trellis-adm logs studio`)',
        `FAIL builds        action-builder: 1 build stuck: ${ids.build} (echo@1.0.0) running, its builder's lease expired 10 min ago (is the action builder running? \`trellis-adm status\`, \`trellis-adm logs action-builder\`)`,
      ]);
      expect(code).toBe(1);
    } finally {
      await asService('action-builder', (db) => db.query('delete from projects where id = $1', [ids.project]));
      await asService('studio', (db) => db.query('delete from outbox where message_id = $1', [ids.message]));
    }
  });

  it("sums the bucket's objects", async () => {
    const settings = localSettingsFromEnv(env);
    const { client } = makeObjectStore({ endpoint: objectStoreEndpoint(settings), accessKey: secrets.s3AccessKey, secretKey: secrets.s3SecretKey, bucket: settings.bucket, region: settings.region });
    await client.putObject(settings.bucket, 'runner/a', Buffer.from('12345'));
    await client.putObject(settings.bucket, 'studio/b', Buffer.alloc(2048));
    try {
      expect((await runDoctor()).text).toMatch(new RegExp(`^ok {3}object-store +${settings.bucket}: 2 objects, 2\\.0 KiB$`, 'm'));
    } finally {
      await client.removeObjects(settings.bucket, ['runner/a', 'studio/b']);
    }
  });

  it('says so when no instance is set up here, and makes none', async () => {
    const elsewhere = join(root, 'nothing', '.trellis');
    const { code, lines } = await runDoctor([], { ...process.env, TRELLIS_STATE_DIR: elsewhere });
    expect(lines[0]).toBe(`FAIL instance  ${localSettingsFromEnv({ TRELLIS_STATE_DIR: elsewhere }).instanceName}: no Trellis instance is set up in ${elsewhere} (no instance.json) (\`make up\` sets one up here; TRELLIS_STATE_DIR=<dir> points to another)`);
    expect(code).toBe(1);
    expect(existsSync(elsewhere)).toBe(false);
  });
});
