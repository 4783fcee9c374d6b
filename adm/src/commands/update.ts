import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runBackup } from '../backup/run-backup.js';
import { SERVICES } from '../catalog.js';
import { readInstanceFile } from '../instance/instance-file.js';
import { markOf, markText } from '../instance/instance.js';
import { clearTheWay, openLocalInstance, recordProvisioned } from '../local/local-instance.js';
import { localSettingsFromEnv, type LocalSettings } from '../local/settings.js';
import { runningSupervisor, stopSupervisor } from '../local/supervisor-control.js';
import { migrateService } from '../update/migrate-service.js';
import { failureLines, jsonOf, successLines } from '../update/report.js';
import { runUpdate, type UpdatePorts } from '../update/run-update.js';
import { makeConsoleOutput, type Output } from './output.js';
import { postgresAdminFromEnv } from '../provision/postgres.js';
import { provisionAll } from '../provision/provision-all.js';
import { rabbitAdminFromEnv } from '../provision/rabbitmq.js';
import { summarize, up } from './up.js';

/** The backup `update` takes first. */
export type TakeBackup = () => Promise<{ readonly path: string }>;

/** `trellis-adm backup` (gzip, without the keys) into `file`; a refusal stops the update before anything changed. */
function backupInto(settings: LocalSettings, env: NodeJS.ProcessEnv, file: string, progress: Output): TakeBackup {
  return async () => {
    const result = await runBackup(settings, env, { output: file, compression: 'gzip', includeKeys: false }, (text) => progress.detail(text));
    if (result.kind === 'refused') throw new Error(`the backup was refused: ${result.reason} (nothing was changed)`);
    return { path: result.file };
  };
}

const USAGE = 'usage: trellis-adm update [-o BACKUP_FILE] [--start] [--json]';

type Parsed = { readonly backupFile: string | undefined; readonly start: boolean; readonly json: boolean } | { readonly problem: string };

export function parseUpdateArgs(args: readonly string[]): Parsed {
  let backupFile: string | undefined;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === '-o' || arg === '--output') {
      backupFile = args[i + 1];
      i += 1;
      if (!backupFile) return { problem: `${arg} needs a file name` };
    } else if (arg !== '--start' && arg !== '--json') return { problem: `unknown: ${arg}` };
  }
  return { backupFile, start: args.includes('--start'), json: args.includes('--json') };
}

/**
 * Updates the local instance to the code of this checkout (docs/operations.md, "Update"):
 * a backup, the platform stopped, every service migrated in order, the platform started again
 * and waited for. Progress on stderr; the outcome on stdout. Exit 0 when updated, 1 when a step
 * failed (with the backup's path and how to restore it), 2 for a wrong command line.
 */
export async function update(
  out: Output,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  deps: { readonly takeBackup?: TakeBackup; readonly start?: () => Promise<void>; readonly progress?: Output } = {},
): Promise<number> {
  const parsed = parseUpdateArgs(args);
  if ('problem' in parsed) {
    out.line(`${USAGE} (${parsed.problem})`);
    return 2;
  }
  const progress = deps.progress ?? makeConsoleOutput((text) => process.stderr.write(text));
  const settings = localSettingsFromEnv(env);
  const { paths } = settings;
  if (readInstanceFile(paths.dir)?.provisionedAt == null) {
    progress.line(`trellis: no instance is set up in ${paths.dir}: nothing to update (\`make up\` sets one up; TRELLIS_STATE_DIR points to another)`);
    return 1;
  }
  const { instance, secrets } = await openLocalInstance(settings, env);
  const admins = { postgres: postgresAdminFromEnv(env), rabbitmq: rabbitAdminFromEnv(env) };
  mkdirSync(paths.logsDir, { recursive: true });
  const logFile = join(paths.logsDir, 'migrate.log');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const backupFile = resolve(parsed.backupFile ?? `trellis-backup-${settings.instanceName}-${stamp}-before-update.tar.gz`);
  const ports: UpdatePorts = {
    takeBackup: deps.takeBackup ?? backupInto(settings, env, backupFile, progress),
    isRunning: () => runningSupervisor(paths.stateFile) !== undefined,
    stop: async () => {
      await stopSupervisor(paths.stateFile);
    },
    provision: async () => {
      await clearTheWay(instance, admins, (line) => progress.detail(line));
      const { changes } = await provisionAll({ namePrefix: settings.namePrefix, vhost: settings.vhost, secrets, ...admins, mark: markText(markOf(instance)) });
      await recordProvisioned(instance, secrets);
      for (const line of summarize(changes)) progress.detail(line);
    },
    migrate: (service) => migrateService(settings, secrets, service, logFile, env),
    start:
      deps.start ??
      (async () => {
        const code = await up(progress, env);
        if (code !== 0) throw new Error(`\`trellis-adm up\` ended with exit code ${code}`);
      }),
  };
  const result = await runUpdate(ports, SERVICES.map((s) => s.name), { start: parsed.start }, (line) => progress.step(line));
  if (parsed.json) out.line(JSON.stringify(jsonOf(result), null, 2));
  if (!result.ok) {
    for (const line of failureLines(result.error)) progress.line(`trellis: ${line}`);
    return 1;
  }
  if (!parsed.json) for (const line of successLines(result)) out.line(line);
  return 0;
}
