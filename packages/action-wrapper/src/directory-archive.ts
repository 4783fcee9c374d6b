import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/*
 * A directory input arrives as a tar archive anybody calling the workflow may have made: it is
 * listed before a byte is written, and refused when it would unpack past its limits (a tar or
 * gzip bomb: tar reads gzip, bzip2 and xz by itself) or put anything outside its folder (an
 * absolute or `..` name, a link out, a device). The listing stops as soon as a limit is passed,
 * so a bomb costs no more than the limit to find.
 */

export type DirectoryLimits = { readonly maxBytes: number; readonly maxEntries: number };

/** 10 GiB and 100,000 entries: far above an upload (1 GiB by default), far below a full disk. */
export const DIRECTORY_LIMITS: DirectoryLimits = { maxBytes: 10 * 1024 ** 3, maxEntries: 100_000 };

export class UnsafeDirectory extends Error {}

const C_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };

/** A name as tar's C quoting wrote it, back to its text. */
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

/** Does `target`, read from the folder of the entry `name`, leave the archive's folder? */
function leaves(name: string, target: string): boolean {
  if (target.startsWith('/')) return true;
  const parts = name.split('/').slice(0, -1);
  for (const part of target.split('/')) {
    if (part === '..') {
      if (parts.length === 0) return true;
      parts.pop();
    } else if (part !== '.' && part !== '') parts.push(part);
  }
  return false;
}

const LINE = /^(\S)\S*\s+\S+\s+(\d+|\d+,\s*\d+)\s+\S+\s+\S+\s+"((?:[^"\\]|\\.)*)"(?:( -> | link to )"((?:[^"\\]|\\.)*)")?$/;

/** Why one listed entry may not be unpacked, if it may not. */
function problemOf(type: string, name: string, link: string | undefined): string | undefined {
  const relative = name.replace(/^(\.\/)+/, '');
  if (name.startsWith('/') || relative.split('/').includes('..')) return `the entry ${JSON.stringify(name)} leaves its folder`;
  if (type === 'l' && link !== undefined && leaves(relative, link)) return `the link ${JSON.stringify(name)} points outside its folder`;
  if (type === 'h' && link !== undefined && (link.startsWith('/') || link.split('/').includes('..'))) return `the hard link ${JSON.stringify(name)} points outside its folder`;
  if (!['-', 'd', 'l', 'h'].includes(type)) return `the entry ${JSON.stringify(name)} is not a file, folder or link`;
  return undefined;
}

/** Lists `archive` (any compression tar reads), throwing UnsafeDirectory at the first entry or limit that refuses it. */
export function checkDirectoryArchive(archive: string, limits: DirectoryLimits): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', ['--quoting-style=c', '--numeric-owner', '-tvf', archive], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let refused: Error | undefined;
    let entries = 0;
    let bytes = 0;
    const refuse = (reason: string) => {
      refused ??= new UnsafeDirectory(reason);
      child.kill('SIGKILL');
    };
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString('utf8');
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (refused || line.trim() === '') return;
      const match = LINE.exec(line);
      if (!match) return refuse(`the archive lists an entry it cannot read: ${JSON.stringify(line.slice(0, 200))}`);
      const [, type = '-', size = '0', quoted = '', , quotedLink] = match;
      entries += 1;
      bytes += size.includes(',') ? 0 : Number(size);
      if (entries > limits.maxEntries) return refuse(`the archive has more than ${limits.maxEntries} entries`);
      if (bytes > limits.maxBytes) return refuse(`the archive unpacks to more than ${limits.maxBytes} bytes`);
      const problem = problemOf(type, unquoteC(quoted), quotedLink === undefined ? undefined : unquoteC(quotedLink));
      if (problem) refuse(problem);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (refused) reject(refused);
      else if (code !== 0) reject(new UnsafeDirectory(`not a readable tar archive: ${stderr.trim()}`));
      else resolve();
    });
  });
}
