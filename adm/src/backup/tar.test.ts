import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readEntries, TarDamaged, TarTruncated, writeEnd, writeEntry } from './tar.js';

async function archive(entries: [string, Buffer][]): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  for (const [name, body] of entries) await writeEntry(out, name, body.length, [body]);
  await writeEnd(out);
  out.end();
  return Buffer.concat(chunks);
}

async function read(bytes: Buffer): Promise<[string, string][]> {
  const got: [string, string][] = [];
  for await (const entry of readEntries(Readable.from([bytes]))) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry.body as AsyncIterable<Buffer>) chunks.push(chunk);
    got.push([entry.name, Buffer.concat(chunks).toString('utf8')]);
  }
  return got;
}

describe('tar', () => {
  const long = `objects/runner/${'x'.repeat(150)}/é.txt`;
  const entries: [string, Buffer][] = [['manifest.json', Buffer.from('{}')], [long, Buffer.from('long name')], ['empty', Buffer.alloc(0)], ['big', Buffer.alloc(5000, 7)]];

  it('reads back what it wrote, names over 100 bytes and empty parts included', async () => {
    const got = await read(await archive(entries));
    expect(got.map(([name]) => name)).toEqual(['manifest.json', long, 'empty', 'big']);
    expect(got[1]?.[1]).toBe('long name');
    expect(got[3]?.[1]).toBe(Buffer.alloc(5000, 7).toString('utf8'));
  });

  it('reads chunks split anywhere', async () => {
    const bytes = await archive(entries);
    const pieces = Array.from({ length: Math.ceil(bytes.length / 37) }, (_, i) => bytes.subarray(i * 37, (i + 1) * 37));
    const names: string[] = [];
    for await (const entry of readEntries(Readable.from(pieces))) {
      names.push(entry.name);
      entry.body.resume();
    }
    expect(names).toEqual(['manifest.json', long, 'empty', 'big']);
  });

  it('refuses an archive cut inside a part, naming the part, and one cut before its end blocks', async () => {
    const bytes = await archive(entries);
    await expect(read(bytes.subarray(0, bytes.length - 1024 - 512 - 100))).rejects.toThrow(new TarTruncated('big'));
    await expect(read(bytes.subarray(0, bytes.length - 1024))).rejects.toBeInstanceOf(TarTruncated);
  });

  it('refuses a damaged header', async () => {
    const bytes = Buffer.from(await archive(entries));
    bytes[10] = 0x41;
    await expect(read(bytes)).rejects.toBeInstanceOf(TarDamaged);
  });

  it('refuses to write a part whose size is not the one announced', async () => {
    await expect(writeEntry(new PassThrough(), 'a', 3, [Buffer.from('ab')])).rejects.toThrow(/changed while it was written/);
  });
});
