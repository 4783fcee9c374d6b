import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import pg from 'pg';
import type { Client } from 'minio';
import { startEmbeddedS3, type EmbeddedS3 } from '@trellis/platform/embedded-s3';
import { makeObjectStore } from '@trellis/platform/object-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES, type ServiceName } from '../src/catalog.js';
import { entryHeaders } from '../src/backup/tar.js';
import { backup } from '../src/commands/backup.js';
import { restore } from '../src/commands/restore.js';
import { migrateAll } from '../src/local/migrate-all.js';
import { localPlan } from '../src/local/plan.js';
import { processStartTime } from '../src/local/processes.js';
import { objectStoreEndpoint, serviceEnv } from '../src/local/service-env.js';
import { localSettingsFromEnv } from '../src/local/settings.js';
import { dropInstanceResources, findInstanceResources } from '../src/provision/instance-resources.js';
import { ensureBucket } from '../src/provision/object-store.js';
import { postgresAdminFromEnv } from '../src/provision/postgres.js';
import { rabbitAdminFromEnv } from '../src/provision/rabbitmq.js';
import type { Secrets } from '../src/secrets.js';
import { freePort, provisionLocalInstance, recordedOutput, testPrefix } from './fixtures.js';

/**
 * `trellis-adm backup` of one instance of the test's own, restored into a second one (both
 * provisioned and migrated as `up` does, on the shared PostgreSQL; each with its own object
 * store; no service runs): every table's rows and every object's bytes come back. Then damaged
 * archives (cut short, a byte flipped in one part, a newer schema) are refused with nothing
 * changed.
 */
const admins = { postgres: postgresAdminFromEnv(), rabbitmq: rabbitAdminFromEnv() };
type Side = { name: string; env: NodeJS.ProcessEnv; secrets: Secrets; store: EmbeddedS3; client: Client; bucket: string };
let root = '';
const sides: Side[] = [];

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

async function makeSide(label: string): Promise<Side> {
  const name = testPrefix();
  const env = { ...process.env, TRELLIS_STATE_DIR: join(root, label, '.trellis'), TRELLIS_INSTANCE: name, TRELLIS_S3_PORT: String(await freePort()) };
  const settings = localSettingsFromEnv(env);
  let secrets: Secrets | undefined;
  await again(async () => {
    ({ secrets } = await provisionLocalInstance(env));
    await migrateAll(localPlan(settings, secrets, undefined, { command: 'true', args: [], accessLog: '' }, env), join(root, `${label}-migrate.log`));
  });
  if (!secrets) throw new Error('not provisioned');
  const store = await startEmbeddedS3({ host: '127.0.0.1', port: settings.s3Port, directory: join(root, label, 's3'), accessKey: secrets.s3AccessKey, secretKey: secrets.s3SecretKey });
  const config = { endpoint: objectStoreEndpoint(settings), accessKey: secrets.s3AccessKey, secretKey: secrets.s3SecretKey, bucket: settings.bucket, region: settings.region };
  await ensureBucket(config);
  const side = { name, env, secrets, store, client: makeObjectStore(config).client, bucket: settings.bucket };
  sides.push(side);
  return side;
}

async function sql<T extends pg.QueryResultRow>(side: Side, service: ServiceName, text: string, values: unknown[] = []): Promise<T[]> {
  const info = SERVICES.find((s) => s.name === service);
  if (!info) throw new Error(service);
  const client = new pg.Client({ connectionString: serviceEnv(localSettingsFromEnv(side.env), side.secrets, info, undefined)['TRELLIS_DATABASE_URL'] });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Every table of every service, its rows as JSON ordered by every column. */
async function tablesOf(side: Side): Promise<Record<string, string>> {
  const dump: Record<string, string> = {};
  for (const service of SERVICES) {
    const tables = await sql<{ name: string }>(side, service.name, "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
    for (const { name } of tables) {
      if (name === 'kysely_migration_lock') continue;
      const rows = await sql<{ row: string }>(side, service.name, `SELECT row_to_json(t)::text AS row FROM public.${pg.escapeIdentifier(name)} t ORDER BY 1`);
      dump[`${service.name}.${name}`] = rows.map((r) => r.row).join('\n');
    }
  }
  return dump;
}

async function objectsOf(side: Side): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  for await (const item of side.client.listObjectsV2(side.bucket, '', true) as AsyncIterable<{ name: string }>) {
    const hash = createHash('sha256');
    for await (const chunk of await side.client.getObject(side.bucket, item.name)) hash.update(chunk as Buffer);
    found[item.name] = hash.digest('hex');
  }
  return found;
}

async function run(command: typeof backup, side: Side, args: string[]): Promise<{ code: number; text: string; progress: string }> {
  const { out, text } = recordedOutput();
  const progress: string[] = [];
  const code = await command(out, args, side.env, (line) => {
    progress.push(line);
    return true;
  });
  return { code, text: text(), progress: progress.join('\n') };
}

describe('trellis-adm backup and restore', () => {
  let from: Side;
  let into: Side;
  let archive = '';
  let before: { tables: Record<string, string>; objects: Record<string, string> };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'trellis-adm-backup-'));
    [from, into] = await Promise.all([makeSide('from'), makeSide('into')]);
    const ids = { user: randomUUID(), project: randomUUID(), workflow: randomUUID() };
    await sql(from, 'authorization', "INSERT INTO users (id, username, display_name, password_hash) VALUES ($1, 'ada', 'Ada', 'scrypt$x')", [ids.user]);
    await sql(from, 'authorization', 'INSERT INTO projects (id, name, created_by, created_at) VALUES ($1, $2, $3, now())', [ids.project, 'backed-up', ids.user]);
    await sql(from, 'studio', 'INSERT INTO projects (id, name, created_at) VALUES ($1, $2, now())', [ids.project, 'backed-up']);
    await sql(from, 'studio', "INSERT INTO project_secrets (project_id, name, sealed, revision, updated_at, updated_by) VALUES ($1, 'TOKEN', 'sealed:c2VjcmV0', 1, now(), 'ada')", [ids.project]);
    await sql(from, 'runner', 'INSERT INTO projects (id, name, created_at) VALUES ($1, $2, now())', [ids.project, 'backed-up']);
    await sql(from, 'runner', `INSERT INTO deployed_versions (workflow_id, version, project_id, name, checksum, document, actions, files, received_at)
      VALUES ($1, 1, $2, 'w', 'c', '{"steps":[{"id":"a"}]}', '[]', '[]', now())`, [ids.workflow, ids.project]);
    for (let i = 0; i < 3; i += 1) {
      await sql(from, 'runner', `INSERT INTO runs (id, project_id, workflow_id, version, status, trigger_type, trigger_outputs, created_at)
        VALUES ($1, $2, $3, 1, 'succeeded', 'manual', $4, now())`, [randomUUID(), ids.project, ids.workflow, JSON.stringify({ n: i, text: 'é "quoted"' })]);
    }
    await from.client.putObject(from.bucket, 'runner/runs/out.txt', Buffer.from('hello'));
    await from.client.putObject(from.bucket, `repository/sources/${'deep/'.repeat(30)}big.bin`, randomBytes(3 * 1024 * 1024 + 7));
    await from.client.putObject(from.bucket, 'studio/empty', Buffer.alloc(0));
    before = { tables: await tablesOf(from), objects: await objectsOf(from) };
  }, 240_000);

  afterAll(async () => {
    try {
      for (const side of sides) {
        await side.store.close();
        await dropInstanceResources(admins, await findInstanceResources(admins, side.name));
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('backs up every database and object into one archive, its manifest first, no keys', async () => {
    archive = join(root, 'backup.tar.gz');
    const { code, text, progress } = await run(backup, from, ['-o', archive]);
    expect(code, text + progress).toBe(0);
    expect(text).toContain(archive);
    expect(progress).toMatch(/database runner: .* \(schema \d{4}_/);
    const tar = gunzipSync(readFileSync(archive));
    expect(tar.subarray(0, 13).toString()).toBe('manifest.json');
    const manifest = JSON.parse(tar.subarray(512, 512 + Number.parseInt(tar.subarray(124, 135).toString(), 8)).toString()) as { parts: { path: string }[]; schemas: Record<string, string>; keys: { included: boolean } };
    expect(manifest.parts.map((p) => p.path).sort()).toEqual([...SERVICES.map((s) => `databases/${s.name}.dump`), ...Object.keys(before.objects).map((k) => `objects/${k}`)].sort());
    expect(manifest.schemas['runner']).toMatch(/^\d{4}_/);
    expect(manifest.keys.included).toBe(false);
    expect(tar.includes(Buffer.from(from.secrets.secretKey))).toBe(false);
  }, 120_000);

  it('restores into an empty instance: every row and every object identical', async () => {
    const { code, text, progress } = await run(restore, into, [archive, '--json']);
    expect(code, text + progress).toBe(0);
    const summary = JSON.parse(text) as { objects: number; tables: Record<string, Record<string, number>>; keys: unknown };
    expect(summary.objects).toBe(3);
    // The second instance has keys of its own: the summary says they are not the backup's.
    expect(summary.keys).toEqual({ secretKey: 'different', runnerSealingKey: 'different' });
    expect(summary.tables['runner']?.['runs']).toBe(3);
    expect(await tablesOf(into)).toEqual(before.tables);
    expect(await objectsOf(into)).toEqual(before.objects);
  }, 120_000);

  it('refuses a non-empty instance without --wipe, and changes nothing', async () => {
    const { code, text } = await run(restore, into, [archive]);
    expect(text).toMatch(/^trellis: restore refused: the instance .* is not empty \(authorization: .*users 1/);
    expect(code).toBe(1);
  }, 60_000);

  it('refuses while the platform runs, saying how to stop it', async () => {
    const stateFile = localSettingsFromEnv(into.env).paths.stateFile;
    writeFileSync(stateFile, JSON.stringify({ status: 'running', pid: process.pid, pidStartTime: processStartTime(process.pid), children: {} }));
    try {
      const { code, text } = await run(restore, into, [archive, '--wipe', '--yes']);
      expect(text).toBe(`trellis: restore refused: the platform is running (supervisor pid ${process.pid}): a restore replaces the databases the services write (stop it first: \`trellis-adm down\` (then \`trellis-adm up\` after the restore))\n`);
      expect(code).toBe(1);
    } finally {
      await rm(stateFile, { force: true });
    }
  });

  describe('refuses a damaged or newer archive before anything changes', () => {
    const marker = 'marker/still-here';
    let plain: Buffer;
    beforeAll(async () => {
      await into.client.putObject(into.bucket, marker, Buffer.from('x'));
      await sql(into, 'runner', "UPDATE runs SET status = 'failed' WHERE trigger_outputs->>'n' = '0'");
      plain = gunzipSync(readFileSync(archive));
    });
    const unchanged = async () => {
      expect(await into.client.statObject(into.bucket, marker)).toHaveProperty('size', 1);
      expect(await sql(into, 'runner', "SELECT count(*)::int AS n FROM runs WHERE status = 'failed'")).toEqual([{ n: 1 }]);
    };
    const attempt = async (bytes: Buffer, file: string) => {
      writeFileSync(join(root, file), bytes);
      return run(restore, into, [join(root, file), '--wipe', '--yes']);
    };

    it('a truncated archive', async () => {
      const { code, text } = await attempt(plain.subarray(0, plain.length - 1024 - 2 * 1024 * 1024), 'short.tar');
      expect(text).toMatch(/^trellis: restore refused: the archive is refused: truncated: the archive ends inside (objects|databases)\/\S+ \(nothing was changed\)$/m);
      expect(code).toBe(1);
      await unchanged();
      const gz = gzipSync(plain);
      const cut = await attempt(gz.subarray(0, gz.length - 100), 'short.tar.gz');
      expect(cut.text).toMatch(/^trellis: restore refused: the archive is refused: /);
      expect(cut.code).toBe(1);
      await unchanged();
    }, 60_000);

    it('a flipped byte inside one part, named', async () => {
      const bytes = Buffer.from(plain);
      const at = bytes.indexOf(Buffer.from('runner/runs/out.txt'));
      const content = bytes.indexOf(Buffer.from('hello'), at);
      bytes[content] = 'j'.charCodeAt(0);
      const { code, text } = await attempt(bytes, 'flipped.tar');
      expect(text).toBe("trellis: restore refused: the archive is refused: objects/runner/runs/out.txt: its sha256 is not the manifest's: the part is damaged (nothing was changed)\n");
      expect(code).toBe(1);
      await unchanged();
    }, 60_000);

    it('a manifest from a newer schema', async () => {
      const size = Number.parseInt(plain.subarray(124, 135).toString(), 8);
      const manifest = JSON.parse(plain.subarray(512, 512 + size).toString()) as { schemas: Record<string, string> };
      manifest.schemas['runner'] = '9999_from_the_future';
      const text = Buffer.from(JSON.stringify(manifest));
      const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512);
      const bytes = Buffer.concat([entryHeaders('manifest.json', text.length), text, pad(text.length), plain.subarray(512 + size + pad(size).length)]);
      const result = await attempt(bytes, 'future.tar');
      expect(result.text).toMatch(/^trellis: restore refused: the archive is refused: runner's schema in the backup \(9999_from_the_future\) is newer than this Trellis's \(\d{4}_\w+\): update Trellis first \(nothing was changed\)$/m);
      expect(result.code).toBe(1);
      await unchanged();
    }, 60_000);
  });

  it('streams: a 50 MB object does not raise the memory by its size (backup, then the check of restore)', async () => {
    const big = 'runner/runs/big-output.bin';
    const chunk = randomBytes(1024 * 1024);
    await from.client.putObject(from.bucket, big, Readable.from((function* () {
      for (let i = 0; i < 50; i += 1) yield chunk;
    })()), 50 * 1024 * 1024);
    try {
      global.gc?.();
      const base = process.memoryUsage().rss;
      let peak = base;
      const timer = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 20);
      const file = join(root, 'big.tar');
      try {
        const made = await run(backup, from, ['-o', file, '--compress', 'none']);
        expect(made.code, made.text + made.progress).toBe(0);
        const { verifyArchive } = await import('../src/backup/run-restore.js');
        expect(await verifyArchive(file)).toHaveProperty('manifest');
      } finally {
        clearInterval(timer);
        await rm(file, { force: true });
      }
      // The object store runs in this process too; what matters is that 50 MB never sit in memory at once.
      expect((peak - base) / 1024 / 1024).toBeLessThan(40);
    } finally {
      await from.client.removeObject(from.bucket, big);
    }
  }, 120_000);

  it('--wipe --yes replaces what a non-empty instance holds (from a zstd archive with the keys, which warns)', async () => {
    const withKeys = join(root, 'keys.tar.zst');
    const made = await run(backup, from, ['-o', withKeys, '--compress', 'zstd', '--include-keys']);
    expect(made.code, made.text + made.progress).toBe(0);
    expect(made.progress).toMatch(/^WARNING: --include-keys: .* will hold the instance's secret keys/m);
    expect(readFileSync(withKeys).readUInt32LE(0)).toBe(0xfd2fb528);
    const { code, text, progress } = await run(restore, into, [withKeys, '--wipe', '--yes']);
    expect(code, text + progress).toBe(0);
    expect(text).toMatch(/^restored .*keys\.tar\.zst: instance trellis_admt_\w+ of /);
    expect(text).toMatch(/^ {2}runner +\d+ rows: .*runs 3/m);
    expect(text).toMatch(/^warning: this instance's TRELLIS_SECRET_KEY is not the backed-up instance's/m);
    expect(await tablesOf(into)).toEqual(before.tables);
    expect(await objectsOf(into)).toEqual(before.objects);
  }, 120_000);
});
