import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gatewayTemplatePath, prepareLocalGateway, type GatewayVars } from '../src/local/gateway.js';
import { killGroup } from '../src/local/processes.js';
import type { LocalSettings } from '../src/local/settings.js';
import { repoRoot } from '../src/paths.js';
import { eventually } from './fixtures.js';

/** A gateway started for a test; `extra` configs are appended to the template's (a test's own `server`). */
export type RunningGateway = {
  base: string;
  stop: () => Promise<void>;
  /** nginx's access log (one JSON line per request, written when the request ends), when kept. */
  accessLog?: string;
  /** What nginx wrote on stderr (its error log) so far. */
  errors: () => string;
};

type Nginx = { stop: () => Promise<void>; errors: () => string };

/** `accessLog`: the file nginx's stdout (its `access_log /dev/stdout`) goes to; none, it is dropped. */
function startNginx(command: string, args: readonly string[], env?: NodeJS.ProcessEnv, accessLog?: string): Nginx {
  let stderr = '';
  const stdout = accessLog ? openSync(accessLog, 'a') : 'ignore';
  const child = spawn(command, [...args], { detached: true, stdio: ['ignore', stdout, 'pipe'], ...(env ? { env } : {}) });
  if (typeof stdout === 'number') closeSync(stdout);
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let stopping = false;
  child.once('exit', (code, signal) => {
    // A gateway that dies under a test (a signal, an error) says how, with what nginx wrote.
    if (!stopping && (code !== 0 || signal !== null)) console.error(`nginx exited with ${signal ?? code}:\n${stderr}`);
  });
  return {
    stop: async () => {
      stopping = true;
      if (child.pid && child.exitCode === null) killGroup(child.pid, 'SIGTERM');
      await exited;
    },
    errors: () => stderr,
  };
}

async function answering(base: string): Promise<void> {
  await eventually(async () => ((await fetch(`${base}/healthz`).catch(() => undefined))?.ok ? true : undefined), 10_000, `nginx on ${base}`);
}

/** `make up`'s gateway: prepareLocalGateway's files, run as the supervisor runs them. */
export async function startLocalGateway(settings: LocalSettings, extra = ''): Promise<RunningGateway> {
  const command = await prepareLocalGateway(settings);
  const include = join(settings.paths.nginxDir, 'trellis.conf');
  if (extra) await writeFile(include, (await readFile(include, 'utf8')) + extra);
  const nginx = startNginx(command.command, command.args, undefined, command.accessLog);
  const base = `http://127.0.0.1:${settings.gatewayPort}`;
  await answering(base);
  return { base, ...nginx, ...(command.accessLog ? { accessLog: command.accessLog } : {}) };
}

/**
 * The image's gateway (compose and Kubernetes): infra/docker/gateway-entrypoint.sh on the same
 * template, with its work directory (the image's /tmp/nginx) under `workRoot`.
 */
export async function startImageGateway(vars: GatewayVars, workRoot: string, extra = ''): Promise<RunningGateway> {
  await mkdir(workRoot, { recursive: true });
  const template = join(workRoot, 'nginx.conf.template');
  await writeFile(template, (await readFile(gatewayTemplatePath(), 'utf8')) + extra);
  const nginx = startNginx('sh', [join(repoRoot(), 'infra', 'docker', 'gateway-entrypoint.sh')], {
    PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    ...vars,
    TRELLIS_GATEWAY_TEMPLATE: template,
    TRELLIS_GATEWAY_WORK_DIR: join(workRoot, 'nginx'),
  });
  const base = `http://${(vars['TRELLIS_GATEWAY_LISTEN'] ?? '').replace(/^(\d+)$/, '127.0.0.1:$1')}`;
  await answering(base);
  return { base, ...nginx };
}
