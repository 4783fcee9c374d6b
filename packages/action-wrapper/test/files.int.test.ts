// File and directory I/O through a real object store with presigned URLs, for both runtimes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type TestObjectStore, startTestObjectStore } from '@trellis/platform/testing/object-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestWrapper, plain, startTestWrapper, typesAction, v } from './harness.js';

let s3: TestObjectStore;
let scratch = '';

beforeAll(async () => {
  s3 = await startTestObjectStore();
  scratch = mkdtempSync(path.join(tmpdir(), 'trellis-files-'));
});

afterAll(async () => {
  await s3?.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function readObject(key: string): Promise<Buffer> {
  const stream = await s3.store.client.getObject(s3.store.bucket, key);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const scalars = { s: v.string('a'), ls: v.longstring('b'), pw: v.password('c'), i: v.integer(1), f: v.float(1.5), b: v.boolean(true), e: v.enum('red'), j: v.json('[]') };

describe.each(['nodejs', 'python'] as const)('files and directories (%s)', (runtime) => {
  let wrapper: TestWrapper;
  beforeAll(async () => {
    wrapper = await startTestWrapper(runtime === 'python' ? 'py-types' : 'node-types', typesAction(runtime));
  });
  afterAll(async () => {
    await wrapper?.close();
  });

  it('downloads a file and a directory from presigned GET URLs and uploads the outputs to presigned PUT URLs', async () => {
    const { client, bucket } = s3.store;
    const prefix = `${runtime}/${Date.now()}`;
    await client.putObject(bucket, `${prefix}/in/notes.txt`, Buffer.from('hello files ✓\n'));
    const tree = path.join(scratch, `${runtime}-tree`);
    mkdirSync(path.join(tree, 'sub'), { recursive: true });
    writeFileSync(path.join(tree, 'a.txt'), 'A');
    writeFileSync(path.join(tree, 'sub', 'b.txt'), 'B');
    const archive = path.join(scratch, `${runtime}-in.tar`);
    execFileSync('tar', ['-cf', archive, '-C', tree, '.']);
    await client.putObject(bucket, `${prefix}/in/tree.tar`, readFileSync(archive));

    const fileOut = await client.presignedPutObject(bucket, `${prefix}/out/file`, 600);
    const dirOut = await client.presignedPutObject(bucket, `${prefix}/out/dir.tar`, 600);
    const response = await wrapper.run({
      inputs: {
        ...scalars,
        file: v.file(await client.presignedGetObject(bucket, `${prefix}/in/notes.txt`, 600), 'notes.txt'),
        dir: v.directory(await client.presignedGetObject(bucket, `${prefix}/in/tree.tar`, 600)),
      },
      outputUrls: { file: fileOut, dir: dirOut },
    });
    expect(response.error).toBeUndefined();
    const file = response.outputs['file']?.kind;
    expect(file?.$case === 'fileValue' && file.fileValue).toEqual({ url: fileOut, name: 'upper-notes.txt', sizeBytes: String(Buffer.byteLength('HELLO FILES ✓\n')) });
    expect((await readObject(`${prefix}/out/file`)).toString('utf8')).toBe('HELLO FILES ✓\n');

    const unpacked = path.join(scratch, `${runtime}-out`);
    mkdirSync(unpacked);
    writeFileSync(path.join(scratch, `${runtime}-out.tar`), await readObject(`${prefix}/out/dir.tar`));
    execFileSync('tar', ['-xf', path.join(scratch, `${runtime}-out.tar`), '-C', unpacked]);
    expect(readFileSync(path.join(unpacked, 'a.txt'), 'utf8')).toBe('A');
    expect(readFileSync(path.join(unpacked, 'sub', 'b.txt'), 'utf8')).toBe('B');
    expect(readFileSync(path.join(unpacked, 'listing.txt'), 'utf8').split('\n')).toEqual(['a.txt', 'sub', path.join('sub', 'b.txt')]);
    expect(plain(response.outputs['s'])).toBe('a');
  });

  it('fails the run with transfer_failed, without the signature, when an input URL answers an error', async () => {
    const url = await s3.store.client.presignedGetObject(s3.store.bucket, 'no/such/object', 600);
    const response = await wrapper.run({ inputs: { ...scalars, file: v.file(url, 'x.txt') } });
    expect(response.error?.code).toBe('transfer_failed');
    expect(response.error?.message).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/.*no\/such\/object answered 404/);
    expect(response.error?.message).not.toMatch(/X-Amz-Signature/i);
  });

  it('fails with bad_output when a produced file output has no PUT URL', async () => {
    await s3.store.client.putObject(s3.store.bucket, 'in/x.txt', Buffer.from('x'));
    const url = await s3.store.client.presignedGetObject(s3.store.bucket, 'in/x.txt', 600);
    const response = await wrapper.run({ inputs: { ...scalars, file: v.file(url, 'x.txt') } });
    expect(response.error).toMatchObject({ code: 'bad_output', message: expect.stringMatching(/output 'file' \(file\) was produced, but the request gave no presigned PUT URL/) });
  });
});
