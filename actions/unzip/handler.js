// @ts-check
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the library ships no types; that file declares the part we use
/// <reference path="./yauzl.d.cts" />
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { checkDeclaredSize, isSymlink, tooLarge, unsafeNameReason, unsafePath } from './entry-checks.js';
import { ActionError } from './errors.js';

/**
 * Extracts an archive into a new folder, refusing what could hurt the machine it runs on: zip
 * bombs (sizes are counted while inflating, the headers are not trusted), too many entries, and
 * names that would write outside the folder (../, absolute paths, drive letters, backslashes),
 * symbolic links and duplicate names.
 * @param {Record<string, any>} inputs
 * @param {{ workdir?: string }} context
 */
export async function handle(inputs, context) {
  const limits = {
    maxTotalBytes: positiveInteger(inputs.max_total_bytes, 'max_total_bytes'),
    maxEntries: positiveInteger(inputs.max_entries, 'max_entries'),
    maxRatio: positiveInteger(inputs.max_ratio, 'max_ratio'),
  };
  if (typeof inputs.archive !== 'string') throw new ActionError('archive is missing: give a .zip file', 'bad_input');
  const folder = await mkdtemp(join(context.workdir ?? process.cwd(), 'unzip-'));
  const zip = await openArchive(inputs.archive);
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new ActionError(`the archive has ${zip.entryCount} entries, more than max_entries (${limits.maxEntries})`, 'too_many_entries');
    }
    const count = await extractAll(zip, folder, limits);
    return { folder, count };
  } finally {
    zip.close();
  }
}

/** @param {string} path @returns {Promise<import('yauzl').ZipFile>} */
async function openArchive(path) {
  try {
    // Names are decoded and checked by us (decodeStrings false): yauzl would turn a backslash
    // into a slash first, hiding a Windows path. Entry sizes are checked by our own byte budget.
    return await yauzl.openPromise(path, { lazyEntries: true, decodeStrings: false, validateEntrySizes: false, autoClose: false });
  } catch (error) {
    throw badArchive(error);
  }
}

/**
 * @param {import('yauzl').ZipFile} zip
 * @param {string} folder
 * @param {{ maxTotalBytes: number, maxEntries: number, maxRatio: number }} limits
 * @returns {Promise<number>} the number of files written
 */
async function extractAll(zip, folder, limits) {
  const seen = new Set();
  const budget = { declared: 0, inflated: 0 };
  let files = 0;
  for await (const entry of entriesOf(zip)) {
    const name = nameOf(entry);
    const reason = unsafeNameReason(name);
    if (reason) throw unsafePath(name, reason);
    if (isSymlink(entry)) throw unsafePath(name, 'a symbolic link (links are not extracted: they could point anywhere)');
    const key = name.replace(/\/+$/, '');
    if (seen.has(key)) throw unsafePath(name, 'a duplicate name (it would overwrite an earlier entry)');
    seen.add(key);
    const target = resolve(folder, name);
    if (relative(folder, target).startsWith('..') || !target.startsWith(folder + sep)) throw unsafePath(name, 'it resolves outside the output folder');
    if (name.endsWith('/')) {
      await mkdir(target, { recursive: true });
      continue;
    }
    checkDeclaredSize(entry, name, limits, budget.declared);
    budget.declared += entry.uncompressedSize;
    await mkdir(dirname(target), { recursive: true });
    await writeEntry(zip, entry, name, target, limits, budget);
    files += 1;
  }
  return files;
}

/**
 * Inflates one entry to its file, counting bytes as they come: past the budget, or past
 * max_ratio of this entry's compressed size, the extraction stops whatever the header said.
 * @param {import('yauzl').ZipFile} zip @param {import('yauzl').Entry} entry @param {string} name @param {string} target
 * @param {{ maxTotalBytes: number, maxRatio: number }} limits
 * @param {{ inflated: number }} budget
 */
async function writeEntry(zip, entry, name, target, limits, budget) {
  let entryBytes = 0;
  const counter = new Transform({
    transform(chunk, _encoding, callback) {
      entryBytes += chunk.length;
      budget.inflated += chunk.length;
      if (budget.inflated > limits.maxTotalBytes) return callback(tooLarge(`it inflates to more than max_total_bytes (${limits.maxTotalBytes}) bytes (at ${JSON.stringify(name)})`));
      if (entryBytes / Math.max(entry.compressedSize, 1) > limits.maxRatio) return callback(tooLarge(`${JSON.stringify(name)} inflates more than max_ratio (${limits.maxRatio}) times its compressed size`));
      return callback(null, chunk);
    },
  });
  let stream;
  try {
    stream = await zip.openReadStreamPromise(entry);
  } catch (error) {
    throw badArchive(error);
  }
  try {
    // 'wx': never overwrite, whatever the checks above missed.
    await pipeline(stream, counter, createWriteStream(target, { flags: 'wx' }));
  } catch (error) {
    throw error instanceof ActionError ? error : badArchive(error);
  }
  if (entryBytes !== entry.uncompressedSize) {
    throw new ActionError(`the archive is damaged: ${JSON.stringify(name)} holds ${entryBytes} bytes, its header says ${entry.uncompressedSize}`, 'bad_archive');
  }
}

/** The entries one at a time (lazyEntries), so a huge central directory is never all in memory. @param {import('yauzl').ZipFile} zip */
async function* entriesOf(zip) {
  while (true) {
    const next = await new Promise((resolveEntry, reject) => {
      const onEntry = (/** @type {import('yauzl').Entry} */ entry) => { cleanUp(); resolveEntry(entry); };
      const onEnd = () => { cleanUp(); resolveEntry(null); };
      const onError = (/** @type {Error} */ error) => { cleanUp(); reject(badArchive(error)); };
      const cleanUp = () => { zip.off('entry', onEntry); zip.off('end', onEnd); zip.off('error', onError); };
      zip.on('entry', onEntry);
      zip.on('end', onEnd);
      zip.on('error', onError);
      zip.readEntry();
    });
    if (next === null) return;
    yield /** @type {import('yauzl').Entry} */ (next);
  }
}

/** The entry's name as stored (UTF-8 or CP437, by its flag), backslashes kept. @param {import('yauzl').Entry} entry */
function nameOf(entry) {
  const raw = /** @type {Buffer} */ (/** @type {unknown} */ (entry.fileName));
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, true);
}

/** @param {unknown} error */
function badArchive(error) {
  return new ActionError(`the file is not a readable zip archive: ${/** @type {Error} */ (error).message}`, 'bad_archive');
}

/** @param {unknown} value @param {string} name */
function positiveInteger(value, name) {
  if (!Number.isInteger(value) || /** @type {number} */ (value) <= 0) throw new ActionError(`${name} must be a whole number above 0`, 'bad_input');
  return /** @type {number} */ (value);
}
