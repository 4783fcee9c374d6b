import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceUnderTest } from '@trellis/platform/testing/service-harness';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../services/runner/dist/main.js');

/** A field of the first JSON log line with that message. */
function logged(output: string, message: string, field: string): string | undefined {
  for (const line of output.split('\n')) {
    if (!line.includes(`"${message}"`)) continue;
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry['message'] === message && entry[field] !== undefined) return String(entry[field]);
    } catch {
      // a line still being written
    }
  }
  return undefined;
}

export type RunnerProcess = {
  child: ChildProcess;
  /** `http://127.0.0.1:<port>`: the user API is at /user-api, the runner's own API at /runner. */
  url: string;
  /** The id its runs are owned by (runs.owner). */
  processId: string;
  exited: Promise<unknown>;
  output: () => string;
};

/**
 * Runner processes (the real dist/main.js, as children a test can kill -9 or pause) on the
 * database, vhost, JWKS and store of the file's in-process runner, so they share its runs.
 */
export function makeRunnerProcesses(service: () => ServiceUnderTest<unknown>, defaults: Record<string, string>) {
  const children: RunnerProcess[] = [];

  async function start(env: Record<string, string> = {}): Promise<RunnerProcess> {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npx tsc -b\` first`);
    const { database, vhost, jwks, store } = service();
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env['PATH'] ?? '', TRELLIS_HTTP_PORT: '0', TRELLIS_LOG_LEVEL: 'info',
        TRELLIS_DATABASE_URL: database.url, TRELLIS_AMQP_URL: vhost.url, TRELLIS_AUTH_JWKS_URL: jwks.url,
        TRELLIS_S3_ENDPOINT: store.config.endpoint, TRELLIS_S3_ACCESS_KEY: store.config.accessKey, TRELLIS_S3_SECRET_KEY: store.config.secretKey, TRELLIS_S3_BUCKET: store.config.bucket,
        TRELLIS_RUNNER_WORK_DIR: await mkdtemp(path.join(tmpdir(), 'trellis-stories-')),
        ...defaults, ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a kill -9 takes it and its action processes down, as a node failing would.
      detached: true,
    });
    let output = '';
    const exited = new Promise((resolve) => child.once('exit', resolve));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the runner did not start:\n${output.slice(-4000)}`)), 60_000);
      const onData = (chunk: Buffer) => {
        output = (output + String(chunk)).slice(-1_000_000);
        const port = logged(output, 'listening', 'port');
        const processId = logged(output, 'runner process registered', 'process_id');
        if (!port || !processId) return;
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        const keep = (more: Buffer) => { output = (output + String(more)).slice(-1_000_000); };
        child.stdout?.on('data', keep);
        child.stderr?.on('data', keep);
        const running: RunnerProcess = { child, url: `http://127.0.0.1:${port}`, processId, exited, output: () => output };
        children.push(running);
        resolve(running);
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      void exited.then(() => reject(new Error(`the runner exited:\n${output.slice(-4000)}`)));
    });
  }

  /** kill -9 of the runner and its process group (its wrappers). */
  async function killHard(runner: RunnerProcess): Promise<void> {
    try {
      process.kill(-(runner.child.pid ?? 0), 'SIGKILL');
    } catch {
      // gone already
    }
    await runner.exited;
  }

  /** Every runner process this file started, killed (between tests: none fires or takes over the next test's work). */
  async function killAll(): Promise<void> {
    await Promise.all(children.splice(0).map(killHard));
  }

  return { start, killHard, killAll };
}
