import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SERVICES, envIdentOf } from '../catalog.js';
import { repoRoot } from '../paths.js';
import type { GatewayCommand } from './plan.js';
import type { LocalSettings } from './settings.js';
import { findOnPath } from './which.js';

export function gatewayTemplatePath(): string {
  return join(repoRoot(), 'infra', 'gateway', 'nginx.conf.template');
}

/** The variables of the gateway template (documented in infra/gateway/README.md). */
export type GatewayVars = Record<string, string>;

export function upstreamVarOf(service: (typeof SERVICES)[number]['name']): string {
  return `TRELLIS_${envIdentOf(service)}_UPSTREAM`;
}

/**
 * Replaces `${NAME}` placeholders as envsubst does in the nginx image, but strictly: a
 * `${TRELLIS_...}` placeholder without a value is an error, not an empty string.
 */
export function renderTemplate(template: string, vars: GatewayVars): string {
  const rendered = template.replace(/\$\{([A-Z][A-Z0-9_]*)\}/g, (whole, name: string) => vars[name] ?? whole);
  const missing = [...new Set([...rendered.matchAll(/\$\{?(TRELLIS_[A-Z0-9_]+)\}?/g)].map((m) => m[1]))];
  if (missing.length > 0) throw new Error(`gateway template: no value for ${missing.join(', ')}`);
  return rendered;
}

export function localGatewayVars(settings: LocalSettings, webuiRoot: string): GatewayVars {
  return {
    TRELLIS_GATEWAY_LISTEN: `127.0.0.1:${settings.gatewayPort}`,
    ...Object.fromEntries(SERVICES.map((s) => [upstreamVarOf(s.name), `127.0.0.1:${settings.servicePorts[s.name]}`])),
    TRELLIS_WEBUI_ROOT: webuiRoot,
  };
}

/** Where the supervisor sends nginx's stdout, which its `access_log /dev/stdout` writes to. */
export function gatewayAccessLog(settings: LocalSettings): string {
  return join(settings.paths.logsDir, 'gateway-access.log');
}

/** Whether other users can enter every directory up to `path`, and read `path` itself when asked. */
function othersCanReach(path: string, access: 'enter' | 'read'): boolean {
  let current = resolve(path);
  try {
    const wanted = access === 'read' ? 0o005 : 0o001;
    if ((statSync(current).mode & wanted) !== wanted) return false;
    while (current !== dirname(current)) {
      current = dirname(current);
      if ((statSync(current).mode & 0o001) === 0) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * The `user` of nginx's workers, or undefined to leave it out (not root: they run as we do).
 * Run as root, nginx starts its workers as another user; they must read the web UI and write
 * the temp directories (nginx makes each one and hands it to them, but cannot open the way to
 * it). So they drop to nobody when nobody can reach both, and stay root otherwise, as under a
 * private state directory (`.trellis/` is 0700) or a checkout in /root.
 */
export function gatewayWorkerUser(asRoot: boolean, webuiRoot: string, tempDir: string): string | undefined {
  if (!asRoot) return undefined;
  if (!othersCanReach(webuiRoot, 'read') || !othersCanReach(tempDir, 'enter')) return 'root';
  return existsSync('/etc/group') && /^nogroup:/m.test(readFileSync('/etc/group', 'utf8')) ? 'nobody nogroup' : 'nobody';
}

const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Trellis</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto">
<h1>Trellis is running</h1>
<p>The web UI is not built yet: run <code>npm run build -w webui</code> (or <code>make up</code>), then reload.</p>
<p>The APIs answer under <code>/authorization</code>, <code>/studio</code>, <code>/repository</code>, <code>/builder</code>, <code>/runner</code> and <code>/user-api</code>.</p>
</body></html>
`;

/** The built web UI, or a one-page placeholder that says how to build it. */
export function webuiRoot(settings: LocalSettings): string {
  if (existsSync(join(settings.webuiDist, 'index.html'))) return settings.webuiDist;
  mkdirSync(settings.paths.webuiPlaceholderDir, { recursive: true });
  writeFileSync(join(settings.paths.webuiPlaceholderDir, 'index.html'), PLACEHOLDER);
  return settings.paths.webuiPlaceholderDir;
}

/** Where nginx's workers would spool bodies (the template streams them, so they stay empty). */
export function gatewayTempDir(settings: LocalSettings): string {
  return join(settings.paths.nginxDir, 'tmp');
}

/**
 * The main config around the template: only the process (user, pid, logs) and where files go.
 * Everything about requests, bodies and errors lives in the template, shared with the image.
 */
export function localMainConf(files: { nginxDir: string; tempDir: string; includeFile: string }, workerUser: string | undefined): string {
  const { nginxDir, tempDir, includeFile } = files;
  const temp = (name: string) => join(tempDir, name);
  const mimeTypes = existsSync('/etc/nginx/mime.types')
    ? 'include /etc/nginx/mime.types;'
    : 'types { text/html html; text/css css; application/javascript js mjs; application/json json; image/svg+xml svg; image/png png; image/x-icon ico; font/woff2 woff2; }';
  return `# Generated by trellis-adm for the local gateway; the routes are in ${includeFile}.
# It runs nginx and places its files; how requests, bodies and errors are handled is the
# template's alone, the same in the image (infra/test/manifests.test.ts checks it).
${workerUser ? `user ${workerUser};\n` : ''}worker_processes 2;
pid ${join(nginxDir, 'nginx.pid')};
error_log stderr warn;

events {
    worker_connections 1024;
}

http {
    ${mimeTypes}
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65s;
    client_body_temp_path ${temp('client_body')};
    proxy_temp_path ${temp('proxy')};
    fastcgi_temp_path ${temp('fastcgi')};
    uwsgi_temp_path ${temp('uwsgi')};
    scgi_temp_path ${temp('scgi')};

    include ${includeFile};
}
`;
}

export function nginxBinary(): string {
  const nginx = findOnPath('nginx');
  if (!nginx) throw new Error('nginx is not installed: run `make up` (it installs it as root), or `apt-get install nginx-light`');
  return nginx;
}

/**
 * Renders the shared template for this machine, wraps it in a small main config with every
 * path under .trellis/nginx, checks it with `nginx -t`, and returns how to run nginx in the
 * foreground under the supervisor.
 */
export async function prepareLocalGateway(settings: LocalSettings): Promise<GatewayCommand> {
  const nginx = nginxBinary();
  const dir = settings.paths.nginxDir;
  const tempDir = gatewayTempDir(settings);
  mkdirSync(tempDir, { recursive: true });
  mkdirSync(settings.paths.logsDir, { recursive: true });
  const root = webuiRoot(settings);
  const includeFile = join(dir, 'trellis.conf');
  writeFileSync(includeFile, renderTemplate(readFileSync(gatewayTemplatePath(), 'utf8'), localGatewayVars(settings, root)));
  const workerUser = gatewayWorkerUser(process.getuid?.() === 0, root, tempDir);
  const confFile = join(dir, 'nginx.conf');
  writeFileSync(confFile, localMainConf({ nginxDir: dir, tempDir, includeFile }, workerUser));
  const args = ['-p', `${dir}/`, '-c', confFile, '-e', 'stderr'];
  // stdout to /dev/null: the access log is /dev/stdout, which nginx cannot open when it is a socket.
  const test = spawnSync(nginx, [...args, '-t', '-q'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (test.status !== 0) {
    throw new Error(`the gateway config does not pass nginx -t:\n${(test.stderr || String(test.error ?? '')).trim()}`);
  }
  return { command: nginx, args: [...args, '-g', 'daemon off;'], accessLog: gatewayAccessLog(settings) };
}
