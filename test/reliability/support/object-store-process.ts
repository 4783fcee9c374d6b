import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeObjectStore, type ObjectStoreConfig } from '@trellis/platform/object-store';
import type { TestObjectStore } from '@trellis/platform/testing/object-store';
import { freePort } from '../../../adm/test/fixtures.js';

const SERVER = resolve(import.meta.dirname, '../../../adm/dist/local/object-store-server.js');

/** The local instance's object store as its own process (adm's object-store-server, s3rver), which a test may kill -9 and start again on the same port and data. */
export type ObjectStoreProcess = TestObjectStore & {
  pid: () => number | undefined;
  kill: () => Promise<void>;
  start: () => Promise<void>;
};

function spawnServer(env: Record<string, string>): Promise<{ child: ChildProcess; exited: Promise<void> }> {
  const child = spawn(process.execPath, [SERVER], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return new Promise((ready, reject) => {
    const timer = setTimeout(() => reject(new Error(`the object store did not start in time:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += String(chunk);
      if (!output.includes('; ready')) return;
      clearTimeout(timer);
      ready({ child, exited });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(() => reject(new Error(`the object store exited before it was ready:\n${output}`)));
  });
}

export async function startObjectStoreProcess(): Promise<ObjectStoreProcess> {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npx tsc -b\` first`);
  const dataDir = await mkdtemp(join(tmpdir(), 'trellis-reliability-s3-'));
  const port = await freePort();
  const config: ObjectStoreConfig = {
    endpoint: `http://127.0.0.1:${port}`,
    accessKey: `TEST${randomBytes(8).toString('hex').toUpperCase()}`,
    secretKey: randomBytes(20).toString('hex'),
    bucket: `trellis-reliability-${randomBytes(4).toString('hex')}`,
    region: 'us-east-1',
  };
  const env = {
    TRELLIS_S3_SERVER: 's3rver', TRELLIS_S3_HOST: '127.0.0.1', TRELLIS_S3_PORT: String(port), TRELLIS_S3_DATA_DIR: dataDir,
    TRELLIS_S3_ACCESS_KEY: config.accessKey, TRELLIS_S3_SECRET_KEY: config.secretKey, TRELLIS_S3_BUCKET: config.bucket, TRELLIS_S3_REGION: config.region,
  };
  let current = await spawnServer(env);
  const kill = async (signal: NodeJS.Signals) => {
    const { child, exited } = current;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    config,
    store: makeObjectStore(config),
    pid: () => current.child.pid,
    kill: () => kill('SIGKILL'),
    start: async () => {
      current = await spawnServer(env);
    },
    close: async () => {
      await kill('SIGTERM');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
