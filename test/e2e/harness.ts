import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import { eventually as eventuallyOf } from '@trellis/platform/testing/eventually';
import { databaseUrl, testAdminUrl } from '@trellis/platform/testing/postgres';

export const ROOT = resolve(import.meta.dirname, '../..');

/**
 * The harness gives a service only PATH; `make up` gives it the shell's environment. A builder that
 * installs npm dependencies reaches the registry, maybe through a proxy with a CA of its own: these
 * are what it passes on to npm (docs/build-path.md).
 */
export const NETWORK_ENV: Readonly<Record<string, string>> = Object.fromEntries(
  ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']
    .flatMap((name) => (process.env[name] ? [[name, process.env[name] as string]] : [])),
);

export const SERVICES = [
  { name: 'authorization', prefix: '/authorization' },
  { name: 'studio', prefix: '/studio' },
  { name: 'repository', prefix: '/repository' },
  { name: 'action-builder', prefix: '/builder' },
  { name: 'runner', prefix: '/runner' },
] as const;

export type ServiceName = (typeof SERVICES)[number]['name'];

export function entry(service: string, file: 'main' | 'migrate'): string {
  const path = resolve(ROOT, 'services', service, 'dist', `${file}.js`);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` (make test does) before the end-to-end tests`);
  return path;
}

export async function createEmptyDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: testAdminUrl() });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
    await admin.query(`create database ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  return databaseUrl(testAdminUrl(), name);
}

export async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: testAdminUrl() });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
  } finally {
    await admin.end();
  }
}

export async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

export function runToEnd(file: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [file], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    child.on('exit', (code) => done({ code, output }));
  });
}

export type RunningService = {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
  stop: () => Promise<number | null>;
  /** Sends `signal` (SIGKILL: a crash, nothing cleaned up) and resolves when the process is gone. */
  kill: (signal: NodeJS.Signals) => Promise<number | null>;
};

/** Starts a service's real main.js on a free port and resolves once it logs that it listens. */
export function startService(service: string, env: Record<string, string>): Promise<RunningService> {
  const child = spawn(process.execPath, [entry(service, 'main')], {
    env: { PATH: process.env['PATH'] ?? '', TRELLIS_HTTP_PORT: '0', TRELLIS_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`${service} did not start in time:\n${output}`)), 20_000);
    let started = false;
    const onData = (chunk: Buffer) => {
      output += String(chunk);
      // Once started, the output is only kept: matching the whole of it again at every chunk
      // costs the test process a copy of megabytes of log per line over a long run.
      if (started) return;
      const listening = /"message":"listening".*?"port":(\d+)/.exec(output);
      if (!listening) return;
      started = true;
      clearTimeout(timer);
      resolveStart({
        child,
        url: `http://127.0.0.1:${listening[1]}`,
        output: () => output,
        exited,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
        kill: async (signal) => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => reject(new Error(`${service} exited with ${code} before listening:\n${output}`)));
  });
}

/** Polls until `accept` holds; a probe that throws (a service not answering yet) counts as not yet. */
export function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  return eventuallyOf(() => probe().catch((error: unknown) => error as T), accept, timeoutMs);
}
