import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICES } from '../catalog.js';
import { readInstanceFile } from '../instance/instance-file.js';
import { openLocalInstance } from '../local/local-instance.js';
import { localSettingsFromEnv } from '../local/settings.js';
import { runningSupervisor, stopSupervisor } from '../local/supervisor-control.js';
import { migrateService } from '../update/migrate-service.js';
import { failureLines, jsonOf, successLines } from '../update/report.js';
import { runUpdate, type UpdatePorts } from '../update/run-update.js';
import { makeConsoleOutput, type Output } from './output.js';
import { up } from './up.js';

/** The backup `update` takes first; the real one until `trellis-adm backup` is wired in. */
export type TakeBackup = () => Promise<{ readonly path: string }>;

const noBackup: TakeBackup = () => Promise.reject(new Error('`trellis-adm backup` is not available in this version, and update does not run without a backup'));

const USAGE = 'usage: trellis-adm update [--start] [--json]';

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
  const unknown = args.filter((arg) => arg !== '--json' && arg !== '--start');
  if (unknown.length > 0) {
    out.line(`${USAGE} (unknown: ${unknown.join(' ')})`);
    return 2;
  }
  const progress = deps.progress ?? makeConsoleOutput((text) => process.stderr.write(text));
  const settings = localSettingsFromEnv(env);
  const { paths } = settings;
  if (readInstanceFile(paths.dir)?.provisionedAt == null) {
    progress.line(`trellis: no instance is set up in ${paths.dir}: nothing to update (\`make up\` sets one up; TRELLIS_STATE_DIR points to another)`);
    return 1;
  }
  const { secrets } = await openLocalInstance(settings, env);
  mkdirSync(paths.logsDir, { recursive: true });
  const logFile = join(paths.logsDir, 'migrate.log');
  const ports: UpdatePorts = {
    takeBackup: deps.takeBackup ?? noBackup,
    isRunning: () => runningSupervisor(paths.stateFile) !== undefined,
    stop: async () => {
      await stopSupervisor(paths.stateFile);
    },
    migrate: (service) => migrateService(settings, secrets, service, logFile, env),
    start:
      deps.start ??
      (async () => {
        const code = await up(progress, env);
        if (code !== 0) throw new Error(`\`trellis-adm up\` ended with exit code ${code}`);
      }),
  };
  const result = await runUpdate(ports, SERVICES.map((s) => s.name), { start: args.includes('--start') }, (line) => progress.step(line));
  if (args.includes('--json')) out.line(JSON.stringify(jsonOf(result), null, 2));
  if (!result.ok) {
    for (const line of failureLines(result.error)) progress.line(`trellis: ${line}`);
    return 1;
  }
  if (!args.includes('--json')) for (const line of successLines(result)) out.line(line);
  return 0;
}
