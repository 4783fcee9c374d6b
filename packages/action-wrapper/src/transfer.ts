import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { promisify } from 'node:util';
import { DIRECTORY_LIMITS, checkDirectoryArchive, type DirectoryLimits } from './directory-archive.js';

const run = promisify(execFile);

/** A presigned URL without its query (the signature): safe to show in an error or a log. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(malformed URL)';
  }
}

/** Downloads a presigned GET URL into a file. */
export async function download(url: string, file: string, signal?: AbortSignal): Promise<void> {
  const response = await fetch(url, { signal: signal ?? null });
  if (!response.ok || response.body === null) {
    throw new Error(`GET ${redactUrl(url)} answered ${response.status} ${response.statusText}`);
  }
  await pipeline(Readable.fromWeb(response.body as ReadableStream<Uint8Array>), createWriteStream(file));
}

/** Uploads a file to a presigned PUT URL; returns its size. (Read whole into memory: fine for the sizes actions exchange today.) */
export async function upload(url: string, file: string, signal?: AbortSignal): Promise<number> {
  const body = await readFile(file);
  const response = await fetch(url, { method: 'PUT', body, signal: signal ?? null, headers: { 'content-type': 'application/octet-stream' } });
  if (!response.ok) throw new Error(`PUT ${redactUrl(url)} answered ${response.status} ${response.statusText}`);
  await response.arrayBuffer();
  return body.length;
}

/** Packs the content of a directory into one tar archive (POSIX pax; entries relative to the directory). */
export async function packDirectory(directory: string, archive: string): Promise<void> {
  const info = await stat(directory).catch(() => undefined);
  if (!info?.isDirectory()) throw new Error(`${directory} is not a directory`);
  await run('tar', ['--format=pax', '-cf', archive, '-C', directory, '.']);
}

/** Unpacks a tar archive into an existing directory, once listed and found safe (directory-archive.ts). */
export async function unpackDirectory(archive: string, directory: string, limits: DirectoryLimits = DIRECTORY_LIMITS): Promise<void> {
  await checkDirectoryArchive(archive, limits);
  await run('tar', ['-xf', archive, '-C', directory, '--no-same-owner', '--no-same-permissions']);
}
