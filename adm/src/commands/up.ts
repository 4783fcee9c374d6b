import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SERVICES } from '../catalog.js';
import { markOf, markText } from '../instance/instance.js';
import { clearTheWay, openLocalInstance, recordProvisioned } from '../local/local-instance.js';
import { chooseDockerSite } from '../local/docker-site.js';
import { migrateAll } from '../local/migrate-all.js';
import { localPlan } from '../local/plan.js';
import { assertPortsFree } from '../local/ports.js';
import { prepareLocalGateway } from '../local/gateway.js';
import { objectStoreEndpoint } from '../local/service-env.js';
import { localSettingsFromEnv, portVars, type LocalSettings } from '../local/settings.js';
import { launchSupervisor, readState, runningSupervisor, stopSupervisor } from '../local/supervisor-control.js';
import { ServiceFailed, waitUntilReady } from '../local/wait-until-ready.js';
import { ensureBucket } from '../provision/object-store.js';
import { countResources } from '../provision/instance-resources.js';
import { provisionAll } from '../provision/provision-all.js';
import { postgresAdminFromEnv } from '../provision/postgres.js';
import { rabbitAdminFromEnv } from '../provision/rabbitmq.js';
import { writePrivateFile } from '../secrets.js';
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
  const marked = changes.filter((c) => /^marked /.test(c)).length;
  const other = changes.length - created.reduce((sum, [n]) => sum + n, 0) - passwords - marked;
  const parts = [
    ...(created.length > 0 ? [`created ${created.map(([n, what]) => `${n} ${what}`).join(', ')}`] : []),
    ...(passwords > 0 ? [`reset ${passwords} passwords`] : []),
    ...(marked > 0 ? [`marked ${marked} existing databases, roles or vhosts as this instance's`] : []),
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
 * Opens this checkout's instance, makes sure its databases and broker are its own (or starts
 * over when an earlier start left them behind), provisions (every time: it is idempotent),
 * starts the supervisor unless it runs already, waits until every service answers its /healthz
 * through the gateway, and prints the login. A service that cannot start as configured stops
 * everything this run started, with one message saying why and what to do.
 */
export async function up(out: Output, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const settings = localSettingsFromEnv(env);
  const { paths } = settings;
  const shown = (path: string) => {
    const near = relative(process.cwd(), path);
    return near === '' ? '.' : near.startsWith('..') ? path : near;
  };
  const { instance, secrets, admin } = await openLocalInstance(settings, env);

  const running = runningSupervisor(paths.stateFile);
  if (!running) {
    const missing = missingBuilds(settings);
    if (missing.length > 0) {
      const more = missing.length > 1 ? ` and ${missing.length - 1} more` : '';
      throw new Error(`the services are not built (no ${shown(missing[0] as string)}${more}): run \`make up\`, or \`npm run build\` first`);
    }
    // A supervisor that was killed outright, or whose .trellis/ was removed under it, may have left processes behind: they hold our ports.
    const { strays } = await stopSupervisor(paths.stateFile);
    if (strays.length > 0) out.detail(`stopped leftovers of a previous run: ${strays.join(', ')}`);
    await assertPortsFree(portVars(settings));
  }

  const admins = { postgres: postgresAdminFromEnv(env), rabbitmq: rabbitAdminFromEnv(env) };
  // What takes time or touches the system is said at once; changes are summed up below.
  const progress = (line: string) => {
    if (/^(waiting|creating the|enabling)/.test(line)) out.detail(line);
  };
  out.step(`provisioning instance ${instance.name}: PostgreSQL databases and RabbitMQ users`);
  const { leftovers } = await clearTheWay(instance, admins, progress);
  if (leftovers.length > 0) {
    out.detail(`dropped ${countResources(leftovers)} left by an earlier start of this checkout (its .trellis/ was removed, so nothing could open them): starting over`);
  }
  const { changes } = await provisionAll({ namePrefix: settings.namePrefix, vhost: settings.vhost, secrets, ...admins, mark: markText(markOf(instance)) }, progress);
  await recordProvisioned(instance, secrets);
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
    const docker = await chooseDockerSite(env);
    out.detail(docker.note);
    // Every migration runs below, before the supervisor starts: it need not run them again at once.
    const plan = localPlan(settings, secrets, admin.password, gateway, { ...env, ...docker.env }, { setupDone: true });
    // The plan holds credentials: owner-only, like the secrets file.
    await writePrivateFile(paths.planFile, `${JSON.stringify(plan, null, 2)}\n`);
    out.step(`migrating databases and declaring broker queues (log in ${shown(join(paths.logsDir, 'migrate.log'))})`);
    mkdirSync(paths.logsDir, { recursive: true });
    await migrateAll(plan, join(paths.logsDir, 'migrate.log'));
    out.step(`starting the object store, ${SERVICES.map((s) => s.name).join(', ')} and the gateway (logs in ${shown(paths.logsDir)}/)`);
    const pid = await launchSupervisor(paths.planFile, paths.stateFile, paths.supervisorOutFile);
    out.detail(`supervisor pid ${pid}`);
  }

  try {
    await waitUntilReady(settings, out, Number(env['TRELLIS_UP_TIMEOUT_SECONDS'] ?? '300') * 1000);
  } catch (error) {
    // Nothing would come of leaving it running: the same configuration fails the same way.
    if (error instanceof ServiceFailed && !running && readState(paths.stateFile)) {
      await stopSupervisor(paths.stateFile);
      throw new Error(`${error.message}\n(everything this \`make up\` started is stopped again)`, { cause: error });
    }
    throw error;
  }
  await ensureBucket({ endpoint: objectStoreEndpoint(settings), accessKey: secrets.s3AccessKey, secretKey: secrets.s3SecretKey, bucket: settings.bucket, region: settings.region });

  const url = `http://localhost:${settings.gatewayPort}/app/`;
  out.blank();
  out.line(`  Trellis is up:  ${url}  (instance ${instance.name})`);
  if (admin.password === undefined) {
    out.line(`  Login:          admin / (not known here: ${shown(paths.adminPasswordFile)} was removed after the first start)`);
    out.line(`                  \`make reset\` starts over with a new one (and deletes this instance's data)`);
  } else {
    out.line(`  Login:          admin / ${admin.password}`);
    out.line(`                  (kept in ${shown(paths.adminPasswordFile)}${admin.source === 'env' ? ', from TRELLIS_ADMIN_PASSWORD' : ''})`);
  }
  if (admin.envIgnored) {
    out.line(`  Note: TRELLIS_ADMIN_PASSWORD only applies at the first start; the admin password is the one above.`);
  }
  out.blank();
  out.line('  make status · make logs · make down · make reset');
  return 0;
}
