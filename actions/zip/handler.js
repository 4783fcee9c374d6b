// @ts-check
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the library ships no types; that file declares the part we use
/// <reference path="./yazl.d.cts" />
import { createWriteStream } from 'node:fs';
import { lstat, mkdtemp, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { ActionError } from './errors.js';

/**
 * Packs a folder's content (or one file) into a zip archive, streamed to disk as it is made.
 * Symbolic links are left out: following one could pack files from outside the folder.
 * @param {Record<string, any>} inputs
 * @param {{ workdir?: string, log?: (...args: unknown[]) => void }} context
 */
export async function handle(inputs, context) {
  const level = inputs.compression_level ?? 6;
  if (!Number.isInteger(level) || level < 0 || level > 9) throw new ActionError('compression_level must be a whole number from 0 (store) to 9 (smallest)', 'bad_input');
  const name = archiveName(inputs.name);
  const hasFiles = typeof inputs.files === 'string';
  const hasFile = typeof inputs.file === 'string';
  if (hasFiles === hasFile) throw new ActionError('give either files (a folder whose content is packed) or file (one file), not both or neither', 'bad_input');

  const zip = new yazl.ZipFile();
  const folder = await mkdtemp(join(context.workdir ?? process.cwd(), 'zip-'));
  const archive = join(folder, name);
  const written = pipeline(zip.outputStream, createWriteStream(archive));
  let count = 0;
  if (hasFile) {
    zip.addFile(inputs.file, basename(inputs.file), { compressionLevel: level });
    count = 1;
  } else {
    count = await addFolder(zip, inputs.files, '', level, (skipped) => context.log?.(`left out ${skipped}: a symbolic link`));
  }
  zip.end();
  await written;
  return { archive, count };
}

/**
 * Adds every file under `root/relativePath`, in name order so the same folder makes the same archive.
 * @param {import('yazl').ZipFile} zip @param {string} root @param {string} relativePath @param {number} level
 * @param {(path: string) => void} onSkipped
 * @returns {Promise<number>} the number of files added
 */
async function addFolder(zip, root, relativePath, level, onSkipped) {
  const names = (await readdir(join(root, relativePath))).sort();
  let count = 0;
  for (const name of names) {
    const path = relativePath === '' ? name : `${relativePath}/${name}`;
    const stats = await lstat(join(root, path));
    if (stats.isSymbolicLink()) onSkipped(path);
    else if (stats.isDirectory()) {
      const inside = await addFolder(zip, root, path, level, onSkipped);
      if (inside === 0) zip.addEmptyDirectory(path);
      count += inside;
    } else if (stats.isFile()) {
      zip.addFile(join(root, path), path, { compressionLevel: level, mtime: stats.mtime, mode: stats.mode });
      count += 1;
    }
  }
  return count;
}

/** @param {unknown} given */
function archiveName(given) {
  const name = String(given ?? '').trim() || 'archive.zip';
  if (/[/\\]/.test(name) || name === '.' || name === '..') throw new ActionError('name is a file name, without folders: e.g. report.zip', 'bad_input');
  return name.endsWith('.zip') ? name : `${name}.zip`;
}
