// @ts-check
import { ActionError } from './errors.js';

/** Unix file-type bits in the high half of a zip entry's external attributes. */
const TYPE_MASK = 0o170000;
const SYMLINK = 0o120000;

/**
 * Why an entry's name may not be written under the output folder, or null when it is safe.
 * Checked on the name as stored, before anything normalises it: a backslash or a drive letter is
 * a Windows path that another tool would write somewhere else.
 * @param {string} name
 * @returns {string | null}
 */
export function unsafeNameReason(name) {
  if (name === '') return 'an empty name';
  if (name.includes('\0')) return 'a NUL character';
  if (name.includes('\\')) return 'a backslash (a Windows path)';
  if (/^[a-zA-Z]:/.test(name)) return 'a drive letter';
  if (name.startsWith('/')) return 'an absolute path';
  if (name.split('/').some((part) => part === '..')) return 'a ".." part that climbs out of the folder';
  return null;
}

/** @param {{ externalFileAttributes: number }} entry */
export function isSymlink(entry) {
  return ((entry.externalFileAttributes >>> 16) & TYPE_MASK) === SYMLINK;
}

/** @param {string} name @param {string} reason */
export function unsafePath(name, reason) {
  return new ActionError(`the archive's entry ${JSON.stringify(name)} is refused: ${reason}`, 'unsafe_path');
}

/**
 * The declared sizes, checked before any byte is inflated: a header that claims too much is
 * refused at once. (A header that lies low is caught while inflating: see the byte budget.)
 * @param {{ uncompressedSize: number, compressedSize: number }} entry
 * @param {string} name
 * @param {{ maxTotalBytes: number, maxRatio: number }} limits
 * @param {number} declaredSoFar
 */
export function checkDeclaredSize(entry, name, limits, declaredSoFar) {
  if (declaredSoFar + entry.uncompressedSize > limits.maxTotalBytes) {
    throw tooLarge(`its entries declare more than max_total_bytes (${limits.maxTotalBytes}) bytes (at ${JSON.stringify(name)})`);
  }
  if (entry.uncompressedSize > 0 && entry.uncompressedSize / Math.max(entry.compressedSize, 1) > limits.maxRatio) {
    throw tooLarge(`${JSON.stringify(name)} would inflate more than max_ratio (${limits.maxRatio}) times its compressed size`);
  }
}

/** @param {string} why */
export function tooLarge(why) {
  return new ActionError(`the archive is refused: ${why}; raise the limit only for archives you trust`, 'archive_too_large');
}
