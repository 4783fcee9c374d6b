import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUpRuns, runStandardAction } from './support/run-action.js';
import { startTestS3, type TestS3 } from './support-h2/embedded-s3.js';

let s3: TestS3;

beforeAll(async () => {
  process.env.TRELLIS_ALLOW_PRIVATE_NETWORK = 'true';
  s3 = await startTestS3();
});

afterAll(async () => {
  delete process.env.TRELLIS_ALLOW_PRIVATE_NETWORK;
  await s3.stop();
  await cleanUpRuns();
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('s3-get', () => {
  it('round-trips a 20 MB file through s3-put and s3-get, bytes equal', async () => {
    const bytes = randomBytes(20 * 1024 * 1024);
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const folder = await mkdtemp(`${tmpdir()}/s3-get-test-`);
    try {
      await writeFile(`${folder}/big.bin`, bytes);
      const put = await runStandardAction('s3-put', { ...s3.inputs, file: { file: `${folder}/big.bin` }, key: 'data/big.bin', content_type: 'application/x-test' }, { timeoutMs: 120_000 });
      expect(put.error).toBeNull();

      const got = await runStandardAction('s3-get', { ...s3.inputs, key: 'data/big.bin' }, { timeoutMs: 120_000 });
      expect(got.error).toBeNull();
      expect(got.outputs).toMatchObject({ content_type: 'application/x-test', size: bytes.length, etag: put.outputs.etag });
      const path = got.outputs.file as string;
      expect(sha256(await readFile(path))).toBe(sha256(bytes));
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }, 180_000);

  it('reports a missing key as no_such_key', async () => {
    const run = await runStandardAction('s3-get', { ...s3.inputs, key: 'nothing/here.txt' });
    expect(run.error?.code).toBe('no_such_key');
    expect(run.error?.message).toContain(`s3://${s3.bucket}/nothing/here.txt`);
  });

  it('reports a missing bucket as no_such_bucket', async () => {
    const run = await runStandardAction('s3-get', { ...s3.inputs, bucket: 'no-such-bucket-here', key: 'x' });
    expect(run.error?.code).toBe('no_such_bucket');
  });

  it('reports an unknown access key as access_denied', async () => {
    await s3.client.putObject(s3.bucket, 'secret.txt', Buffer.from('classified'));
    const run = await runStandardAction('s3-get', { ...s3.inputs, access_key: 'nobody', key: 'secret.txt' });
    expect(run.error?.code).toBe('access_denied');
  });

  it('refuses the cloud metadata address when the instance does not allow private networks', async () => {
    delete process.env.TRELLIS_ALLOW_PRIVATE_NETWORK;
    try {
      const run = await runStandardAction('s3-get', { ...s3.inputs, endpoint: 'http://169.254.169.254', key: 'x' });
      expect(run.error?.code).toBe('address_not_allowed');
      expect(run.error?.message).toContain('link-local');
    } finally {
      process.env.TRELLIS_ALLOW_PRIVATE_NETWORK = 'true';
    }
  });
});
