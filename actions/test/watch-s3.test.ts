import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonValue } from '@trellis/action-manifest/definition';
import { startEmbeddedS3, type EmbeddedS3 } from '@trellis/platform/embedded-s3';
import * as Minio from 'minio';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listenTo, type Emitted, type ListenOptions, type Listening } from './support-triggers/listen.js';

// The platform's embedded S3 on a free loopback port; each test has its own bucket.
let s3: EmbeddedS3;
let directory: string;
let client: Minio.Client;
let given: Record<string, string | number | boolean>;
let bucket: string;
const running: Listening[] = [];

async function start(extra: Record<string, string | number | boolean> = {}, options: ListenOptions = {}): Promise<Listening> {
  const listening = await listenTo('watch-s3', { ...given, bucket, interval_seconds: 1, ...extra }, options);
  running.push(listening);
  return listening;
}

async function put(key: string, text = key): Promise<void> {
  await client.putObject(bucket, key, Buffer.from(text));
}

/**
 * The trigger takes what is there as seen on its first listing: probes are put until one fires,
 * so the listing is done. (A probe put before it counts as already there.)
 */
async function firstListingDone(listening: Listening, prefix = ''): Promise<void> {
  for (let n = 0; listening.accepted.length === 0; n++) {
    if (n > 40) throw new Error(`no probe fired:\n${listening.logs()}`);
    await put(`${prefix}.probe-${n}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited++) {
    if (waited > 200) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const isProbe = (run: Emitted) => String(run.outputs.key).split('/').at(-1)?.startsWith('.probe') === true;
const keys = (runs: readonly Emitted[]) => runs.filter((run) => !isProbe(run)).map((run) => run.outputs.key);

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'trellis-watch-s3-'));
  const accessKey = `key${randomBytes(4).toString('hex')}`;
  const secretKey = randomBytes(16).toString('hex');
  s3 = await startEmbeddedS3({ host: '127.0.0.1', port: 0, directory, accessKey, secretKey });
  client = new Minio.Client({ endPoint: '127.0.0.1', port: s3.port, useSSL: false, accessKey, secretKey, pathStyle: true });
  given = { endpoint: `http://127.0.0.1:${s3.port}`, access_key: accessKey, secret_key: secretKey };
});

beforeEach(async () => {
  process.env.TRELLIS_ALLOW_PRIVATE_NETWORK = 'true';
  bucket = `watch-${randomBytes(4).toString('hex')}`;
  await client.makeBucket(bucket);
});

afterEach(async () => {
  for (const listening of running.splice(0)) await listening.stop();
  delete process.env.TRELLIS_ALLOW_PRIVATE_NETWORK;
});

afterAll(async () => {
  await s3.close();
  await rm(directory, { recursive: true, force: true });
});

describe('watch-s3', () => {
  it('fires once per new object under the prefix, not for what was there before, with key, size, etag and time', async () => {
    await put('incoming/before.csv');
    const listening = await start({ prefix: 'incoming/' });
    await firstListingDone(listening, 'incoming/');
    for (const name of ['a.csv', 'b.csv', 'c.csv']) await put(`incoming/${name}`, `content of ${name}`);
    await put('elsewhere/d.csv');

    await until(() => keys(listening.accepted).length === 3);
    const runs = listening.accepted.filter((run) => !isProbe(run));
    expect(keys(runs).sort()).toEqual(['incoming/a.csv', 'incoming/b.csv', 'incoming/c.csv']);
    expect(runs.find((run) => run.outputs.key === 'incoming/b.csv')?.outputs).toMatchObject({ size: 'content of b.csv'.length, etag: expect.any(String), last_modified: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    // Two more listings: nothing fires twice.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(keys(listening.emitted)).toEqual(keys(runs));
  });

  it('includes the objects already there on a first start when asked', async () => {
    await put('old-1');
    await put('old-2');
    const listening = await start({ include_existing: true });
    expect(keys(await listening.waitForAccepted(2)).sort()).toEqual(['old-1', 'old-2']);
  });

  it('offers an object whose run was refused again at the next listing', async () => {
    let refused = false;
    const listening = await start({}, { decide: (run) => (run.outputs.key === 'x' && !refused ? ((refused = true), 'refuse') : 'accept') });
    await firstListingDone(listening);
    await put('x');
    await until(() => keys(listening.accepted).length === 1);
    expect(keys(listening.emitted)).toEqual(['x', 'x']);
  });

  it('restarted from the last accepted run, fires for what was added while stopped and nothing accepted again', async () => {
    const first = await start();
    await firstListingDone(first);
    await put('a1');
    await put('a2');
    await until(() => keys(first.accepted).length === 2);
    await first.stop();
    const last = first.accepted.at(-1)?.outputs ?? {};
    const lastEvent = Object.fromEntries(Object.entries(last).filter(([, value]) => value !== undefined)) as Record<string, JsonValue>;

    // S3 times have a resolution of a second: the new objects must be later than the cursor's.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await put('b1');
    await put('b2');
    const second = await start({}, { lastEvent });
    await second.waitForAccepted(2);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(keys(second.emitted).sort()).toEqual(['b1', 'b2']);
  });

  it('refuses a loopback endpoint unless private networks are allowed', async () => {
    delete process.env.TRELLIS_ALLOW_PRIVATE_NETWORK;
    const listening = await start();
    expect(await listening.ended).toMatchObject({ code: 'address_not_allowed' });
  });
});
