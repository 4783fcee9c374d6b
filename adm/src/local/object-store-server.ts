#!/usr/bin/env node
/**
 * The local object store, as the supervisor runs it: a `minio server` when that binary is on
 * PATH, else the embedded s3rver, on TRELLIS_S3_HOST:TRELLIS_S3_PORT with data under
 * TRELLIS_S3_DATA_DIR; then the bucket is made through the minio client.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { SHUTDOWN_MESSAGE } from '@trellis/platform/lifecycle';
import { ensureBucket } from '../provision/object-store.js';
import { startEmbeddedS3 } from '@trellis/platform/embedded-s3';
import { findOnPath } from './which.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`object store: ${name} is not set`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const host = process.env['TRELLIS_S3_HOST'] ?? '127.0.0.1';
  const port = Number(process.env['TRELLIS_S3_PORT'] ?? '9000');
  const dataDir = required('TRELLIS_S3_DATA_DIR');
  const accessKey = required('TRELLIS_S3_ACCESS_KEY');
  const secretKey = required('TRELLIS_S3_SECRET_KEY');
  const bucket = process.env['TRELLIS_S3_BUCKET'] ?? 'trellis';
  const region = process.env['TRELLIS_S3_REGION'] ?? 'us-east-1';
  const choice = process.env['TRELLIS_S3_SERVER'] ?? 'auto';
  const minio = choice === 's3rver' ? undefined : findOnPath('minio');
  if (choice === 'minio' && !minio) {
    console.error('object store: TRELLIS_S3_SERVER=minio but no minio binary is on PATH');
    process.exit(2);
  }

  let stop: () => Promise<void>;
  if (minio) {
    const directory = join(dataDir, 'minio');
    mkdirSync(directory, { recursive: true });
    const child = spawn(minio, ['server', directory, '--address', `${host}:${port}`, '--console-address', `${host}:${port + 1}`, '--quiet'], {
      env: { ...process.env, MINIO_ROOT_USER: accessKey, MINIO_ROOT_PASSWORD: secretKey, MINIO_BROWSER: 'off' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code, signal) => {
      console.error(`object store: minio exited (${signal ?? code})`);
      process.exit(code ?? 1);
    });
    stop = async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    };
    console.log(`object store: minio ${minio} on http://${host}:${port}, data in ${directory}`);
  } else {
    const directory = join(dataDir, 's3');
    mkdirSync(directory, { recursive: true });
    const server = await startEmbeddedS3({ host, port, directory, accessKey, secretKey });
    stop = server.close;
    console.log(`object store: s3rver on http://${host}:${server.port}, data in ${directory}`);
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`object store: ${signal}, stopping`);
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // Run in a thread of the supervisor, it is stopped by message: signals reach only the process.
  parentPort?.on('message', (message: unknown) => {
    if (message === SHUTDOWN_MESSAGE) shutdown('shutdown message');
  });

  const endpointHost = host === '0.0.0.0' ? '127.0.0.1' : host;
  const { created } = await ensureBucket({ endpoint: `http://${endpointHost}:${port}`, accessKey, secretKey, bucket, region }, 60_000);
  console.log(`object store: bucket ${bucket} ${created ? 'created' : 'present'}; ready`);
}

main().catch((error: unknown) => {
  console.error(`object store: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
