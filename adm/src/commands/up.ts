import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SERVICES, healthPathOf } from '../catalog.js';
import { check } from '../local/health.js';
import { migrateAll } from '../local/migrate-all.js';
import { localPlan } from '../local/plan.js';
import { assertPortsFree } from '../local/ports.js';
import { prepareLocalGateway } from '../local/gateway.js';
import { objectStoreEndpoint } from '../local/service-env.js';
import { localSettingsFromEnv, portVars, type LocalSettings } from '../local/settings.js';
import { launchSupervisor, readState, runningSupervisor, stopSupervisor } from '../local/supervisor-control.js';
import { sleep } from '../local/processes.js';
import { ensureBucket } from '../provision/object-store.js';
import { provisionAll } from '../provision/provision-all.js';
import { postgresAdminFromEnv } from '../provision/postgres.js';
import { rabbitAdminFromEnv } from '../provision/rabbitmq.js';
import { loadAdminPassword, loadSecrets, writePrivateFile } from '../secrets.js';
import type { Output } from './output.js';

/** Short lines for a first run's many changes; each change itself when there are few. */
export function summarize(changes: readonly string[]): string[] {
  if (changes.length === 0) return ['already in place'];
  if (changes.length <= 6) return [...changes];
  const kinds = [
    [/^created role /, 'roles'],
    [/^created database /, 'databases (only their role may connect)'],
    [/^created vhost /, 'vhost'],
    [/^created broker user /, 'broker users'],
    [/^declared exchange /, 'exchanges'],
  ] as const;
  const created = kinds.map(([pattern, what]) => [changes.filter((c) => pattern.test(c)).length, what] as const).filter(([n]) => n > 0);
  const passwords = changes.filter((c) => /^(set password of role|updated broker user) /.test(c)).length;
  const other = changes.length - created.reduce((sum, [n]) => sum + n, 0) - passwords;
  const parts = [
    ...(created.length > 0 ? [`created ${created.map(([n, what]) => `${n} ${what}`).join(', ')}`] : []),
    ...(passwords > 0 ? [`reset ${passwords} passwords`] : []),
    ...(other > 0 ? [`${other} access rules`] : []),
  ];
  return [parts.join('; ')];
}

function missingBuilds(settings: LocalSettings): string[] {
  return SERVICES.flatMap((s) =>
    ['main.js', 'migrate.js'].map((file) => join(settings.servicesDir, s.name, 'dist', file)).filter((file) => !existsSync(file)),
  );
}

/**
 * Provisions (every time: it is idempotent), starts the supervisor unless it runs already,
 * waits until every service answers its /healthz through the gateway, and prints the login.
 */
export async function up(out: Output, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const settings = localSettingsFromEnv(env);
  const { paths } = settings;
  const shown = (path: string) => {
    const near = relative(process.cwd(), path);
    return near === '' ? '.' : near.startsWith('..') ? path : near;
  };
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const secrets = await loadSecrets(paths.secretsFile, env);
  const admin = await loadAdminPassword(paths.adminPasswordFile, env);

  const running = runningSupervisor(paths.stateFile);
  if (!running) {
    const missing = missingBuilds(settings);
    if (missing.length > 0) {
      const more = missing.length > 1 ? ` and ${missing.length - 1} more` : '';
      throw new Error(`the services are not built (no ${shown(missing[0] as string)}${more}): run \`make up\`, or \`npm run build\` first`);
    }
    // A supervisor that was killed outright may have left children behind: they hold our ports.
    if (readState(paths.stateFile)) {
      const { strays } = await stopSupervisor(paths.stateFile);
      if (strays.length > 0) out.detail(`stopped leftovers of a previous run: ${strays.join(', ')}`);
    }
    await assertPortsFree(portVars(settings));
  }

  out.step('provisioning PostgreSQL databases and RabbitMQ users');
  const { changes } = await provisionAll(
    { namePrefix: settings.namePrefix, vhost: settings.vhost, secrets, postgres: postgresAdminFromEnv(env), rabbitmq: rabbitAdminFromEnv(env) },
    // Changes are summed up below; what takes time or touches the system is said at once.
    (line) => {
      if (/^(waiting|creating the|enabling)/.test(line)) out.detail(line);
    },
  );
  if (changes.length > 0) {
    mkdirSync(paths.logsDir, { recursive: true });
    appendFileSync(join(paths.logsDir, 'provision.log'), changes.map((c) => `${new Date().toISOString()} ${c}\n`).join(''));
  }
  for (const line of summarize(changes)) out.detail(line);
  if (changes.length > 6) out.detail(`(every change is listed in ${shown(join(paths.logsDir, 'provision.log'))})`);

  if (running) {
    out.step(`already running (supervisor pid ${running.pid})`);
  } else {
    const gateway = await prepareLocalGateway(settings);
    const plan = localPlan(settings, secrets, admin.password, gateway, env);
    // The plan holds credentials: owner-only, like the secrets file.
    await writePrivateFile(paths.planFile, `${JSON.stringify(plan, null, 2)}\n`);
    out.step(`migrating databases and declaring broker queues (log in ${shown(join(paths.logsDir, 'migrate.log'))})`);
    mkdirSync(paths.logsDir, { recursive: true });
    await migrateAll(plan, join(paths.logsDir, 'migrate.log'));
    out.step(`starting the object store, ${SERVICES.map((s) => s.name).join(', ')} and the gateway (logs in ${shown(paths.logsDir)}/)`);
    const pid = await launchSupervisor(paths.planFile, paths.stateFile, paths.supervisorOutFile);
    out.detail(`supervisor pid ${pid}`);
  }

  await waitUntilHealthy(settings, out, Number(env['TRELLIS_UP_TIMEOUT_SECONDS'] ?? '300') * 1000);
  await ensureBucket({ endpoint: objectStoreEndpoint(settings), accessKey: secrets.s3AccessKey, secretKey: secrets.s3SecretKey, bucket: settings.bucket, region: settings.region });

  const url = `http://localhost:${settings.gatewayPort}/app/`;
  out.blank();
  out.line(`  Trellis is up:  ${url}`);
  out.line(`  Login:          admin / ${admin.password}`);
  out.line(`                  (kept in ${shown(paths.adminPasswordFile)}${admin.source === 'env' ? ', from TRELLIS_ADMIN_PASSWORD' : ''})`);
  if (admin.envIgnored) {
    out.line(`  Note: TRELLIS_ADMIN_PASSWORD only applies at the first start; the admin password is the one above.`);
  }
  out.blank();
  out.line('  make status · make logs · make down');
  return 0;
}

async function waitUntilHealthy(settings: LocalSettings, out: Output, timeoutMs: number): Promise<void> {
  const gateway = `http://127.0.0.1:${settings.gatewayPort}`;
  const pending = new Map(SERVICES.map((s) => [s.name, `${gateway}${healthPathOf(s)}`]));
  const deadline = Date.now() + timeoutMs;
  let lastReport = Date.now();
  out.step(`waiting for ${[...pending.keys()].join(', ')} to answer through ${gateway}`);
  while (pending.size > 0) {
    const results = await Promise.all([...pending].map(async ([name, url]) => ({ name, ok: (await check({ url })).ok })));
    for (const result of results) {
      if (!result.ok) continue;
      pending.delete(result.name);
      out.detail(`${result.name} ready`);
    }
    if (pending.size === 0) break;
    const state = runningSupervisor(settings.paths.stateFile);
    if (!state) throw new Error(`the supervisor stopped; see ${settings.paths.logsDir}/supervisor.log and ${settings.paths.supervisorOutFile}`);
    if (Date.now() > deadline) {
      const lines = [...pending.keys()].map((name) => {
        const child = state.children[name];
        return `  ${name}: ${child?.status ?? '?'}${child?.lastError ? ` (${child.lastError})` : ''}, log ${child?.log ?? '?'}`;
      });
      throw new Error(`not ready after ${Math.round(timeoutMs / 1000)} s (they keep being restarted; \`make down\` stops them):\n${lines.join('\n')}`);
    }
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      const notes = [...pending.keys()].map((name) => {
        const child = state.children[name];
        return `${name} (${child?.status ?? '?'}${child?.restarts ? `, ${child.restarts} restarts` : ''})`;
      });
      out.detail(`still waiting for ${notes.join(', ')}`);
    }
    await sleep(500);
  }
}
