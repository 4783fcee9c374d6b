import { spawn } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SERVICES, type ServiceName } from '../catalog.js';
import { baseEnv, serviceEnv } from '../local/service-env.js';
import type { LocalSettings } from '../local/settings.js';
import type { Secrets } from '../secrets.js';
import { migrationOutcome, type MigrationOutcome } from './migration-outcome.js';

/**
 * Runs a service's own migrate step (`services/<name>/dist/migrate.js`, as `up` and the
 * supervisor do) with the environment `up` gives it; its output goes to the migrate log whole.
 */
export async function migrateService(settings: LocalSettings, secrets: Secrets, service: ServiceName, logFile: string, env: NodeJS.ProcessEnv): Promise<MigrationOutcome> {
  const info = SERVICES.find((s) => s.name === service);
  if (info === undefined) throw new Error(`no service ${service}`);
  const cwd = join(settings.servicesDir, service);
  const childEnv = { ...baseEnv(env), ...serviceEnv(settings, secrets, info, undefined) };
  const chunks: Buffer[] = [];
  const ending = await new Promise<string | undefined>((resolve) => {
    const run = spawn(process.execPath, ['--enable-source-maps', join(cwd, 'dist', 'migrate.js')], { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    run.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    run.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    run.on('error', (error) => resolve(`could not be started: ${error.message}`));
    run.on('close', (code, signal) => resolve(code === 0 ? undefined : signal === null ? `exit ${code}` : `killed by ${signal}`));
  });
  const output = Buffer.concat(chunks).toString('utf8');
  await appendFile(logFile, output, { mode: 0o600 });
  return migrationOutcome(output, ending === undefined, ending);
}
