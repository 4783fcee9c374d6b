import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUpRuns, runStandardAction } from './support/run-action.js';
import { startTestS3, type TestS3 } from './support-h2/embedded-s3.js';

let s3: TestS3;
let folder: string;

beforeAll(async () => {
  process.env.TRELLIS_ALLOW_PRIVATE_NETWORK = 'true';
  s3 = await startTestS3();
  folder = await mkdtemp(join(tmpdir(), 's3-put-test-'));
});

afterAll(async () => {
  delete process.env.TRELLIS_ALLOW_PRIVATE_NETWORK;
  await s3.stop();
  await rm(folder, { recursive: true, force: true });
  await cleanUpRuns();
});

async function streamToBuffer(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('s3-put', () => {
  it('uploads a file that the store then holds byte for byte, with its content type', async () => {
    const bytes = randomBytes(300_000);
    const path = join(folder, 'photo.bin');
    await writeFile(path, bytes);
    const run = await runStandardAction('s3-put', { ...s3.inputs, file: { file: path }, key: 'in/photo.bin', content_type: 'image/png' });
    expect(run.error).toBeNull();
    expect(run.outputs).toMatchObject({ size: bytes.length, key: 'in/photo.bin' });
    expect(run.outputs.etag).toMatch(/^[0-9a-f]{32}/);
    expect(await streamToBuffer(await s3.client.getObject(s3.bucket, 'in/photo.bin'))).toEqual(bytes);
    expect((await s3.client.statObject(s3.bucket, 'in/photo.bin')).metaData['content-type']).toBe('image/png');
  });

  it('reports a missing bucket as no_such_bucket', async () => {
    const path = join(folder, 'small.txt');
    await writeFile(path, 'hello');
    const run = await runStandardAction('s3-put', { ...s3.inputs, bucket: 'no-such-bucket-here', file: { file: path }, key: 'x' });
    expect(run.error?.code).toBe('no_such_bucket');
  });

  it('reports an unknown access key as access_denied', async () => {
    // s3rver checks the access key, not the signature: a wrong secret alone would pass here.
    const path = join(folder, 'small.txt');
    await writeFile(path, 'hello');
    const run = await runStandardAction('s3-put', { ...s3.inputs, access_key: 'nobody', file: { file: path }, key: 'x' });
    expect(run.error?.code).toBe('access_denied');
  });

  it('refuses a loopback endpoint unless the instance allows private networks', async () => {
    const path = join(folder, 'small.txt');
    await writeFile(path, 'hello');
    delete process.env.TRELLIS_ALLOW_PRIVATE_NETWORK;
    try {
      const run = await runStandardAction('s3-put', { ...s3.inputs, file: { file: path }, key: 'x' });
      expect(run.error?.code).toBe('address_not_allowed');
    } finally {
      process.env.TRELLIS_ALLOW_PRIVATE_NETWORK = 'true';
    }
    expect(await s3.client.listObjectsV2(s3.bucket, 'x', true).toArray()).toEqual([]);
  });
});
