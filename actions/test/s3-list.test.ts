import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStandardAction } from './support/run-action.js';
import { startTestS3, type TestS3 } from './support-h2/embedded-s3.js';

let s3: TestS3;

beforeAll(async () => {
  process.env.TRELLIS_ALLOW_PRIVATE_NETWORK = 'true';
  s3 = await startTestS3();
  for (const key of ['reports/2024/a.csv', 'reports/2024/b.csv', 'reports/2025/c.csv', 'reports/top.csv', 'other/d.csv']) {
    await s3.client.putObject(s3.bucket, key, Buffer.from(`content of ${key}`));
  }
});

afterAll(async () => {
  delete process.env.TRELLIS_ALLOW_PRIVATE_NETWORK;
  await s3.stop();
});

describe('s3-list', () => {
  it('lists every key under a prefix with size, etag and time', async () => {
    const run = await runStandardAction('s3-list', { ...s3.inputs, prefix: 'reports/2024/' });
    expect(run.error).toBeNull();
    expect(run.outputs.truncated).toBe(false);
    const objects = run.outputs.objects as Array<Record<string, unknown>>;
    expect(objects.map((o) => o.key)).toEqual(['reports/2024/a.csv', 'reports/2024/b.csv']);
    expect(objects[0]).toMatchObject({ size: 'content of reports/2024/a.csv'.length });
    expect(objects[0]?.etag).toMatch(/^[0-9a-f]{32}$/);
    expect(new Date(objects[0]?.last_modified as string).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('lists one level, sub-folders as entries, when not recursive', async () => {
    const run = await runStandardAction('s3-list', { ...s3.inputs, prefix: 'reports/', recursive: false });
    expect(run.error).toBeNull();
    expect((run.outputs.objects as Array<{ key: string }>).map((o) => o.key).sort()).toEqual(['reports/2024/', 'reports/2025/', 'reports/top.csv']);
  });

  it('stops at max_keys and says the list is truncated', async () => {
    const run = await runStandardAction('s3-list', { ...s3.inputs, max_keys: 3 });
    expect(run.error).toBeNull();
    expect(run.outputs.objects).toHaveLength(3);
    expect(run.outputs.truncated).toBe(true);
  });

  it('reports a missing bucket as no_such_bucket', async () => {
    const run = await runStandardAction('s3-list', { ...s3.inputs, bucket: 'no-such-bucket-here' });
    expect(run.error?.code).toBe('no_such_bucket');
  });

  it('reports an unknown access key as access_denied', async () => {
    const run = await runStandardAction('s3-list', { ...s3.inputs, access_key: 'nobody' });
    expect(run.error?.code).toBe('access_denied');
  });
});
