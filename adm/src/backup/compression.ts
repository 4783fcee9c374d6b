import { spawn } from 'node:child_process';
import { Duplex, PassThrough } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';

export type Compression = 'gzip' | 'zstd' | 'none';

/** The `zstd` binary as a stream (stdin to stdout); its failure is the stream's error. */
function zstd(args: string[]): Duplex {
  const child = spawn('zstd', ['-q', '-c', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const errors: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
  const out = new PassThrough();
  child.stdout.pipe(out, { end: false });
  child.stdin.on('error', () => undefined);
  let ended = false;
  child.stdout.on('end', () => {
    ended = true;
  });
  child.on('error', (error) => out.destroy(new Error(`zstd could not be started (${error.message}): install zstd or use --compress gzip`)));
  child.on('close', (code) => {
    if (code === 0 && ended) out.end();
    else out.destroy(new Error(`zstd failed (exit ${code}): ${Buffer.concat(errors).toString('utf8').trim()}`));
  });
  return Duplex.from({ writable: child.stdin, readable: out });
}

export function compressor(kind: Compression): Duplex {
  if (kind === 'gzip') return createGzip();
  if (kind === 'zstd') return zstd(['-3']);
  return new PassThrough();
}

/** What the first bytes of an archive say it is compressed with. */
export function compressionOf(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

export function decompressor(kind: Compression): Duplex {
  if (kind === 'gzip') return createGunzip();
  if (kind === 'zstd') return zstd(['-d']);
  return new PassThrough();
}
