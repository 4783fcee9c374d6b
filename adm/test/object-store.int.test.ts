import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../src/paths.js';
import { ensureBucket } from '../src/provision/object-store.js';
import { randomToken } from '../src/secrets.js';
import { eventually, freePort } from './fixtures.js';

const launcher = join(repoRoot(), 'adm', 'dist', 'local', 'object-store-server.js');

function clientFor(port: number, accessKey: string, secretKey: string): Client {
  return new Client({ endPoint: '127.0.0.1', port, useSSL: false, accessKey, secretKey, region: 'us-east-1', pathStyle: true });
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

describe('the local object store launcher (s3rver)', () => {
  const accessKey = randomToken(20, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
  const secretKey = randomToken(40);
  const bucket = 'trellis';
  let port = 0;
  let dataDir = '';
  let child: ChildProcess;
  let output = '';

  beforeAll(async () => {
    if (!existsSync(launcher)) throw new Error(`${launcher} is missing: build first (npm run build)`);
    port = await freePort();
    dataDir = await mkdtemp(join(tmpdir(), 'trellis-adm-s3-'));
    child = spawn(process.execPath, [launcher], {
      env: {
        PATH: process.env['PATH'] ?? '',
        TRELLIS_S3_SERVER: 's3rver',
        TRELLIS_S3_HOST: '127.0.0.1',
        TRELLIS_S3_PORT: String(port),
        TRELLIS_S3_DATA_DIR: dataDir,
        TRELLIS_S3_ACCESS_KEY: accessKey,
        TRELLIS_S3_SECRET_KEY: secretKey,
        TRELLIS_S3_BUCKET: bucket,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually(() => output.includes('ready') || undefined, 20_000, `the launcher to report ready (output: ${output})`);
  });

  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('made the bucket at start, with its data under the data directory', async () => {
    expect(output).toMatch(/bucket trellis created; ready/);
    expect(await clientFor(port, accessKey, secretKey).bucketExists(bucket)).toBe(true);
    expect(existsSync(join(dataDir, 's3', bucket))).toBe(true);
  });

  it('stores and reads an object through the minio client with the registered key', async () => {
    const client = clientFor(port, accessKey, secretKey);
    await client.putObject(bucket, 'hello/world.txt', Buffer.from('hello trellis'), undefined, { 'Content-Type': 'text/plain' });
    expect(await readAll(await client.getObject(bucket, 'hello/world.txt'))).toBe('hello trellis');
    const stat = await client.statObject(bucket, 'hello/world.txt');
    expect(stat.size).toBe(13);
  });

  it('refuses an unknown access key, and the built-in S3RVER key', async () => {
    await expect(clientFor(port, 'NOTAKEY', 'nope-nope-nope').listObjects(bucket).toArray()).rejects.toMatchObject({ code: 'InvalidAccessKeyId' });
    await expect(clientFor(port, 'S3RVER', 'S3RVER').listObjects(bucket).toArray()).rejects.toMatchObject({ code: 'InvalidAccessKeyId' });
  });

  it('ensureBucket is idempotent and makes further buckets', async () => {
    const config = { endpoint: `http://127.0.0.1:${port}`, accessKey, secretKey, region: 'us-east-1' };
    expect(await ensureBucket({ ...config, bucket })).toEqual({ created: false });
    expect(await ensureBucket({ ...config, bucket: 'trellis-other' })).toEqual({ created: true });
    expect(await ensureBucket({ ...config, bucket: 'trellis-other' })).toEqual({ created: false });
  });

  it('stops on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
