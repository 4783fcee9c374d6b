import { Readable, type Writable } from 'node:stream';
import { once } from 'node:events';

/**
 * A minimal streaming tar (POSIX ustar, with a pax header for names longer than 100 bytes): what
 * a backup needs and nothing more (regular files only). Written here rather than taken from npm
 * so that a part's bytes go from their source to the archive (and back) without being held in
 * memory, and a short archive is told apart from a whole one (`TarTruncated`).
 */

const BLOCK = 512;

/** The archive ended in the middle of something: a header, or a part's bytes. */
export class TarTruncated extends Error {
  constructor(readonly part: string | undefined) {
    super(part === undefined ? 'the archive ends in the middle of a header' : `the archive ends inside ${part}`);
  }
}

/** The archive holds something that is not a tar header. */
export class TarDamaged extends Error {}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, type: '0' | 'x'): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(name.slice(0, 100), 0, 100, 'utf8');
  block.write(octal(0o600, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(0, 12), 136, 'ascii');
  block.write('        ', 148, 'ascii');
  block.write(type, 156, 'ascii');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(octal(sum, 7) + ' ', 148, 'ascii');
  return block;
}

/** The headers of one entry: a pax header first when the name does not fit (or is not ASCII). */
export function entryHeaders(name: string, size: number): Buffer {
  const bytes = Buffer.byteLength(name);
  if (bytes <= 100 && /^[\x20-\x7e]*$/.test(name)) return header(name, size, '0');
  const record = (body: string) => {
    // "<length> path=<name>\n", the length counting itself.
    let length = Buffer.byteLength(body) + 3;
    while (Buffer.byteLength(`${length} ${body}\n`) !== length) length += 1;
    return `${length} ${body}\n`;
  };
  const pax = Buffer.from(record(`path=${name}`), 'utf8');
  return Buffer.concat([header('PaxHeader', pax.length, 'x'), pax, padding(pax.length), header(Buffer.from(name).subarray(0, 100).toString('latin1'), size, '0')]);
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

async function write(out: Writable, chunk: Buffer): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/** Writes one entry; `body` must yield exactly `size` bytes. */
export async function writeEntry(out: Writable, name: string, size: number, body: AsyncIterable<Buffer | string> | Iterable<Buffer>): Promise<void> {
  await write(out, entryHeaders(name, size));
  let written = 0;
  for await (const chunk of body) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    written += buffer.length;
    if (written > size) throw new Error(`${name} grew while it was written (more than ${size} bytes)`);
    await write(out, buffer);
  }
  if (written !== size) throw new Error(`${name} changed while it was written (${written} bytes, not ${size})`);
  await write(out, padding(size));
}

/** The end of an archive: two empty blocks. */
export async function writeEnd(out: Writable): Promise<void> {
  await write(out, Buffer.alloc(BLOCK * 2));
}

/** Pulls exact byte counts out of a stream of chunks. */
class Pull {
  private buffered: Buffer[] = [];
  private length = 0;
  private done = false;
  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** Up to `max` bytes (at least one), or undefined at the end of the stream. */
  async some(max: number): Promise<Buffer | undefined> {
    if (this.length === 0 && !(await this.fill())) return undefined;
    const first = this.buffered[0] as Buffer;
    const taken = first.length <= max ? first : first.subarray(0, max);
    if (taken === first) this.buffered.shift();
    else this.buffered[0] = first.subarray(max);
    this.length -= taken.length;
    return taken;
  }

  /** Exactly `count` bytes, or fewer at the end of the stream. */
  async exactly(count: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let got = 0;
    while (got < count) {
      const part = await this.some(count - got);
      if (!part) break;
      parts.push(part);
      got += part.length;
    }
    return Buffer.concat(parts);
  }

  private async fill(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.source.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as Uint8Array);
    this.buffered.push(chunk);
    this.length += chunk.length;
    return true;
  }
}

export type TarEntry = {
  readonly name: string;
  readonly size: number;
  /** The entry's bytes; read it whole (or not at all) before asking for the next entry. */
  readonly body: Readable;
};

function field(block: Buffer, start: number, width: number): string {
  const raw = block.subarray(start, start + width);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? width : end).toString('utf8');
}

function parseOctal(block: Buffer, start: number, width: number): number {
  const text = field(block, start, width).trim();
  if (!/^[0-7]+$/.test(text)) throw new TarDamaged('a tar header with no size: this is not a tar archive, or it is damaged');
  return parseInt(text, 8);
}

function checksumOk(block: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i += 1) sum += i >= 148 && i < 156 ? 32 : (block[i] as number);
  const text = field(block, 148, 8).trim();
  return /^[0-7]+$/.test(text) && parseInt(text, 8) === sum;
}

/**
 * The entries of a tar stream, in order. Throws `TarTruncated` when the stream ends before the
 * end-of-archive blocks (inside a header or a part), `TarDamaged` for a header that is not one.
 */
export async function* readEntries(source: AsyncIterable<Buffer>): AsyncGenerator<TarEntry> {
  const pull = new Pull(source[Symbol.asyncIterator]());
  let longName: string | undefined;
  let last: string | undefined;
  for (;;) {
    const block = await pull.exactly(BLOCK);
    if (block.length < BLOCK) throw new TarTruncated(block.length === 0 && last !== undefined ? `the end of the archive (after ${last})` : undefined);
    if (block.every((byte) => byte === 0)) return;
    if (!checksumOk(block)) throw new TarDamaged(`a damaged tar header${last === undefined ? '' : ` after ${last}`}`);
    const size = parseOctal(block, 124, 12);
    const type = field(block, 156, 1);
    const name = longName ?? field(block, 0, 100);
    if (type === 'x') {
      const pax = await pull.exactly(size);
      await pull.exactly((BLOCK - (size % BLOCK)) % BLOCK);
      if (pax.length < size) throw new TarTruncated(undefined);
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(pax.toString('utf8'));
      longName = path?.[1];
      continue;
    }
    longName = undefined;
    last = name;
    let left = size;
    let truncated = false;
    const body = Readable.from((async function* () {
      while (left > 0) {
        const chunk = await pull.some(left);
        if (!chunk) {
          truncated = true;
          throw new TarTruncated(name);
        }
        left -= chunk.length;
        yield chunk;
      }
    })(), { objectMode: false });
    yield { name, size, body };
    // Whatever the reader left of this entry is skipped.
    while (left > 0) {
      const chunk = await pull.some(left);
      if (!chunk) throw new TarTruncated(name);
      left -= chunk.length;
    }
    if (truncated) throw new TarTruncated(name);
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if ((await pull.exactly(pad)).length < pad) throw new TarTruncated(name);
  }
}
