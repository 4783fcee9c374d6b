import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Migrations } from '@trellis/platform/postgres/migrate';
import { migrations as actionBuilder } from '../../services/action-builder/src/infrastructure/postgres/migrations.js';
import { migrations as authorization } from '../../services/authorization/src/infrastructure/postgres/migrations.js';
import { migrations as repository } from '../../services/repository/src/infrastructure/postgres/migrations.js';
import { migrations as runner } from '../../services/runner/src/infrastructure/postgres/migrations.js';
import { migrations as studio } from '../../services/studio/src/infrastructure/postgres/migrations.js';
import { SERVICES, portEnvOf, type ServiceName } from '../src/catalog.js';
import { update } from '../src/commands/update.js';
import { serviceEnv } from '../src/local/service-env.js';
import { localSettingsFromEnv } from '../src/local/settings.js';
import { runningSupervisor, stopSupervisor } from '../src/local/supervisor-control.js';
import { dropInstanceResources, findInstanceResources } from '../src/provision/instance-resources.js';
import { postgresAdminFromEnv } from '../src/provision/postgres.js';
import { rabbitAdminFromEnv } from '../src/provision/rabbitmq.js';
import type { Secrets } from '../src/secrets.js';
import { freePort, provisionLocalInstance, recordedOutput, testPrefix } from './fixtures.js';

/**
 * `trellis-adm update` on an instance of its own (own name, state directory and ports),
 * provisioned as `up` does and migrated to the previous migration set of every service (all its
 * migrations but the last), on the shared PostgreSQL and RabbitMQ. The first update takes the
 * real backup (`trellis-adm backup`, tested on its own in backup.int.test.ts), the later ones a
 * stand-in that writes a file; migrating and starting are the real ones: the services' own
 * migrate steps, then `up` and its wait until every service answers.
 */
const lists: Record<ServiceName, Migrations> = { authorization, studio, repository, 'action-builder': actionBuilder, runner };
const name = testPrefix();
const admins = { postgres: postgresAdminFromEnv(), rabbitmq: rabbitAdminFromEnv() };
let root = '';
let env: NodeJS.ProcessEnv = {};
let secrets: Secrets;
let backups = 0;

/** A stand-in for `trellis-adm backup`: a file in the test's directory, its path returned. */
async function takeBackup(): Promise<{ path: string }> {
  backups += 1;
  const path = join(root, `backup-${backups}.tar`);
  writeFileSync(path, 'a backup');
  return { path };
}

async function asService<T>(service: ServiceName, work: (db: Kysely<unknown>) => Promise<T>): Promise<T> {
  const info = SERVICES.find((s) => s.name === service);
  if (!info) throw new Error(service);
  const connectionString = serviceEnv(localSettingsFromEnv(env), secrets, info, undefined)['TRELLIS_DATABASE_URL'];
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString, max: 1 }) }) });
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

async function appliedOf(service: ServiceName): Promise<string[]> {
  return asService(service, async (db) => (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)).rows.map((r) => r.name));
}

/** `update` with a stand-in backup, or with the real `trellis-adm backup` when `args` says where (`-o FILE`). */
async function runUpdate(args: string[]) {
  const result = recordedOutput();
  const progress = recordedOutput();
  const code = await update(result.out, args, env, { ...(args.includes('-o') ? {} : { takeBackup }), progress: progress.out });
  return { code, stdout: result.text(), stderr: progress.text() };
}

describe('trellis-adm update from the previous schema of each service', () => {
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'trellis-adm-update-'));
    const ports: Record<string, string> = { TRELLIS_PORT: String(await freePort()), TRELLIS_S3_PORT: String(await freePort()) };
    for (const service of SERVICES) ports[portEnvOf(service.name)] = String(await freePort());
    env = { ...process.env, TRELLIS_STATE_DIR: join(root, 'state'), TRELLIS_INSTANCE: name, ...ports };
    delete env['TRELLIS_LOCAL_SERVICES'];
    ({ secrets } = await provisionLocalInstance(env));
    for (const service of SERVICES) {
      const names = Object.keys(lists[service.name]).sort();
      const previous = names.at(-2);
      if (previous === undefined) throw new Error(`${service.name} has a single migration: no previous schema`);
      await asService(service.name, async (db) => {
        const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...lists[service.name] }) } });
        const { error } = await migrator.migrateTo(previous);
        if (error) throw new Error(`${service.name}: migrating to ${previous} failed`, { cause: error });
      });
      expect(await appliedOf(service.name)).toEqual(names.slice(0, -1));
    }
  });

  afterAll(async () => {
    await stopSupervisor(join(root, 'state', 'state.json'), 30_000);
    await dropInstanceResources(admins, await findInstanceResources(admins, name));
    await rm(root, { recursive: true, force: true });
  });

  it('stops at a migration that fails, naming it with the database error, the backup and how to restore it', async () => {
    // What runner's last migration adds is there already: it fails as a real mistake would.
    await asService('runner', (db) => sql`alter table deployed_versions add column site text`.execute(db));
    const backup = join(root, 'before-update.tar.gz');
    const { code, stderr } = await runUpdate(['-o', backup]);
    expect(code).toBe(1);
    expect(stderr).toContain(`trellis: update stopped: migration 0014_version_sites of runner failed: column "site" of relation "deployed_versions" already exists`);
    expect(stderr).toContain(`The backup taken before the update: ${backup}`);
    expect(stderr).toContain(`\`trellis-adm restore ${backup} --wipe\``);
    expect(stderr).toContain('Migrated: authorization, studio, repository, action-builder. Not migrated: runner.');
    expect(existsSync(backup)).toBe(true);
    expect(stderr).toMatch(/database runner: .*\(schema 0013_signals\)/);
    // The ones before it are migrated to their last; runner's pending migration is not applied.
    for (const service of ['authorization', 'studio', 'repository', 'action-builder'] as const) expect(await appliedOf(service)).toEqual(Object.keys(lists[service]).sort());
    expect(await appliedOf('runner')).toEqual(Object.keys(runner).sort().slice(0, -1));
    expect(runningSupervisor(join(root, 'state', 'state.json'))).toBeUndefined();
    await asService('runner', (db) => sql`alter table deployed_versions drop column site`.execute(db));
  });

  it('once the cause is gone, migrates what is left, starts the platform and ends healthy', async () => {
    const { code, stdout, stderr } = await runUpdate(['--start', '--json']);
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout) as { ok: boolean; backup: string; started: boolean; migrated: { service: string; applied: string[] }[] };
    expect(summary).toMatchObject({ ok: true, backup: join(root, 'backup-1.tar'), started: true });
    expect(summary.migrated).toEqual([
      ...(['authorization', 'studio', 'repository', 'action-builder'] as const).map((service) => ({ service, applied: [] })),
      { service: 'runner', applied: ['0014_version_sites'] },
    ]);
    for (const service of SERVICES) expect(await appliedOf(service.name)).toEqual(Object.keys(lists[service.name]).sort());
    // Healthy: every service answers its /healthz through the gateway, as `up` waits for.
    expect(stderr).toContain('waiting for authorization, studio, repository, action-builder, runner to answer');
    const gateway = `http://127.0.0.1:${env['TRELLIS_PORT']}`;
    for (const path of ['/authorization/healthz', '/studio/healthz', '/runner/healthz']) expect((await fetch(`${gateway}${path}`)).status, path).toBe(200);
    expect(readFileSync(join(root, 'state', 'logs', 'migrate.log'), 'utf8')).toContain('column \\"site\\" of relation \\"deployed_versions\\" already exists');
  }, 240_000);

  it('updates a running platform: stops it after the backup, starts it again, healthy', async () => {
    const before = runningSupervisor(join(root, 'state', 'state.json'));
    expect(before).toBeDefined();
    const { code, stdout, stderr } = await runUpdate([]);
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/taking a backup first \(the platform runs meanwhile\)[\s\S]*stopping the platform[\s\S]*provisioning what this version needs[\s\S]*migrating runner[\s\S]*starting the platform/);
    expect(stdout).toContain('updated: the platform runs and every service answers');
    expect(stdout).toContain('runner: up to date');
    const after = runningSupervisor(join(root, 'state', 'state.json'));
    expect(after?.pid).not.toBe(before?.pid);
    expect((await fetch(`http://127.0.0.1:${env['TRELLIS_PORT']}/runner/healthz`)).status).toBe(200);
  }, 240_000);
});
