import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/*
 * Deterministic archives for sources and artifacts: the same files give the same bytes, so
 * the same source and lock give the same SHA-256 digest. GNU tar does the packing (sorted
 * names, fixed mtime, owner and mode bits, no pax times) and gzip writes no name or time.
 */

const FIXED_MTIME = '@0';

function run(command: string, args: readonly string[], options: { input?: NodeJS.ReadableStream; cwd?: string } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${String(code)}: ${stderr.trim()}`))));
  });
}

/**
 * Packs the content of `directory` (entries relative to it, `./` first) into a gzip-compressed
 * tar at `archive`, byte for byte the same for the same files: names sorted, mtime 0, owner
 * and group 0, permissions normalised (executable bits kept), no access or change times.
 */
export async function packDeterministic(directory: string, archive: string): Promise<void> {
  const info = await stat(directory).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`${directory} is not a directory`);
  const tarArgs = [
    '--format=posix', '--sort=name', `--mtime=${FIXED_MTIME}`, '--owner=0', '--group=0', '--numeric-owner',
    '--mode=go-w,u+rw,a+rX', '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
    '-C', directory, '-cf', '-', '.',
  ];
  // `tar | gzip -n` through the shell keeps the pipeline in two processes and no temporary file.
  const quoted = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;
  await run('bash', ['-c', `set -o pipefail; tar ${tarArgs.map(quoted).join(' ')} | gzip -n -9 > ${quoted(archive)}`]);
}

export type UnpackLimits = { maxBytes: number; maxEntries: number };

/**
 * Unpacks a gzip-compressed tar into an existing directory, refusing archives that would
 * escape it (absolute names, `..`, links pointing outside) or exceed `limits` (a tar bomb).
 * The archive is listed first, so nothing is written when it is refused.
 */
export async function unpackChecked(archive: string, directory: string, limits: UnpackLimits): Promise<void> {
  const listing = await listArchive(archive);
  if (listing.length > limits.maxEntries) throw new Error(`the archive has more than ${limits.maxEntries} entries`);
  let total = 0;
  for (const entry of listing) {
    total += entry.size;
    if (total > limits.maxBytes) throw new Error(`the archive unpacks to more than ${limits.maxBytes} bytes`);
    const name = entry.name.replace(/^\.\//, '');
    if (name.startsWith('/') || name.split('/').includes('..')) throw new Error(`the archive entry ${JSON.stringify(entry.name)} leaves its folder`);
    if (entry.type === 'l' && (entry.linkTarget.startsWith('/') || resolvesOutside(name, entry.linkTarget))) {
      throw new Error(`the archive link ${JSON.stringify(entry.name)} points outside its folder`);
    }
    if (entry.type === 'h' || entry.type === 'c' || entry.type === 'b' || entry.type === 'p') throw new Error(`the archive entry ${JSON.stringify(entry.name)} is not a file, folder or link`);
  }
  await run('tar', ['-xzf', archive, '-C', directory, '--no-same-owner', '--no-same-permissions', '--no-overwrite-dir']);
}

/** Does a link at `name` (a path inside a folder) whose target is `target` resolve outside that folder? */
export function resolvesOutside(name: string, target: string): boolean {
  const parts = name.split('/').slice(0, -1);
  for (const part of target.split('/')) {
    if (part === '..') {
      if (parts.length === 0) return true;
      parts.pop();
    } else if (part !== '.' && part !== '') parts.push(part);
  }
  return false;
}

type Entry = { type: string; size: number; name: string; linkTarget: string };

/** `tar -tvz` parsed: type letter, size and name of every entry. */
async function listArchive(archive: string): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    // C quoting puts each name in quotes: a name holding " -> " or " link to " cannot pass for a link's target.
    const child = spawn('tar', ['--quoting-style=c', '--numeric-owner', '-tvzf', archive], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`not a readable tar.gz: ${stderr.trim()}`));
      const entries: Entry[] = [];
      for (const line of out.split('\n')) {
        // e.g. '-rw-r--r-- 0/0     12 1970-01-01 00:00 "./a b.txt"' or 'lrwxrwxrwx 0/0 0 1970-01-01 00:00 "./l" -> "target"'
        const match = /^(\S)\S*\s+\S+\s+(\d+|\d+,\s*\d+)\s+\S+\s+\S+\s+"((?:[^"\\]|\\.)*)"(?:(?: -> | link to )"((?:[^"\\]|\\.)*)")?$/.exec(line);
        if (!match) {
          if (line.trim() !== '') return reject(new Error(`not a readable tar.gz: an entry tar lists as ${JSON.stringify(line.slice(0, 200))}`));
          continue;
        }
        const [, type = '-', size = '0', name = '', linkTarget = ''] = match;
        // A device lists its major,minor numbers where a file lists its size: it is refused by its type.
        entries.push({ type, size: size.includes(',') ? 0 : Number(size), name: unquoteC(name), linkTarget: unquoteC(linkTarget) });
      }
      resolve(entries);
    });
  });
}

const C_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };

/** A name as tar's C quoting wrote it (`\\"`, `\\n`, octal bytes...), back to its text. */
function unquoteC(quoted: string): string {
  const chars = Array.from(quoted);
  const bytes: number[] = [];
  for (let i = 0; i < chars.length; i += 1) {
    const char = chars[i] ?? '';
    if (char !== '\\') {
      bytes.push(...Buffer.from(char));
      continue;
    }
    const octal = /^[0-7]{3}/.exec(chars.slice(i + 1, i + 4).join(''));
    const next = chars[i + 1] ?? '';
    if (octal) {
      bytes.push(parseInt(octal[0], 8));
      i += 3;
    } else {
      bytes.push(...(C_ESCAPES[next] !== undefined ? [C_ESCAPES[next]] : Buffer.from(next)));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** SHA-256 of a file, lowercase hex, read as a stream. */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
