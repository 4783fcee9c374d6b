import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUpRuns, runStandardAction } from './support/run-action.js';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'hash-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
  await cleanUpRuns();
});

describe('hash', () => {
  it('hashes a text with the known SHA-256 of "abc"', async () => {
    const run = await runStandardAction('hash', { data: 'abc' });
    expect(run.outputs.digest).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes with every algorithm, in hex and base64', async () => {
    for (const algorithm of ['sha256', 'sha384', 'sha512', 'sha1', 'md5']) {
      for (const encoding of ['hex', 'base64'] as const) {
        const run = await runStandardAction('hash', { data: 'héllo', algorithm, encoding });
        expect(run.outputs.digest, `${algorithm} ${encoding}`).toBe(createHash(algorithm).update('héllo', 'utf8').digest(encoding));
      }
    }
  });

  it('hashes a file of 20 MiB', async () => {
    const content = Buffer.alloc(20 * 1024 * 1024, 'q');
    const path = join(scratch, 'big.bin');
    await writeFile(path, content);
    const run = await runStandardAction('hash', { file: { file: path }, algorithm: 'sha512' });
    expect(run.outputs.digest).toBe(createHash('sha512').update(content).digest('hex'));
  });

  it('wants exactly one of data and file', async () => {
    const path = join(scratch, 'one.txt');
    await writeFile(path, 'x');
    expect((await runStandardAction('hash', {})).error?.code).toBe('bad_input');
    expect((await runStandardAction('hash', { data: 'x', file: { file: path } })).error?.code).toBe('bad_input');
  });
});
