import path from 'node:path';
import { KINDS, type ActionKind } from './definition.js';
import { didYouMean } from './suggest.js';
import { nodeOf, readString, type Field, type Source } from './yaml-source.js';

export const ACTION_ID = /^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$/;
export const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

export function readId(source: Source, field: Field | undefined): string | undefined {
  const id = readString(source, field, '"id"');
  if (id === undefined || field === undefined) return undefined;
  if (ACTION_ID.test(id)) return id;
  source.report(nodeOf(field), 'bad_id', `bad id "${id}"; expected 3 to 64 characters of a-z, 0-9 and -, not starting or ending with -, e.g. resize-image`);
  return undefined;
}

/** A semantic version; `pad` turns `1.0` into `1.0.0` (Ryax writes two-part versions). */
export function readVersion(source: Source, field: Field | undefined, pad = false): string | undefined {
  if (field === undefined) return undefined;
  const value = field.value !== null && 'value' in field.value ? field.value.value : undefined;
  if (typeof value === 'number') {
    source.report(nodeOf(field), 'bad_version', `version ${value} is read as a number; write a semantic version like 1.2.0 (quote it: "${value}.0")`);
    return undefined;
  }
  const raw = readString(source, field, '"version"');
  if (raw === undefined) return undefined;
  const version = pad && /^\d+\.\d+$/.test(raw) ? `${raw}.0` : raw;
  if (SEMVER.test(version)) return version;
  source.report(nodeOf(field), 'bad_version', `bad version "${raw}"; expected a semantic version MAJOR.MINOR.PATCH with an optional pre-release, e.g. 1.2.0 or 2.0.0-beta.1`);
  return undefined;
}

export function readKind(source: Source, field: Field | undefined): ActionKind | undefined {
  const raw = readString(source, field, '"kind"');
  if (raw === undefined || field === undefined) return undefined;
  const kind = KINDS.find((candidate) => candidate === raw);
  if (kind === undefined) source.report(nodeOf(field), 'bad_kind', `bad kind "${raw}"${didYouMean(raw, KINDS)}; expected one of: ${KINDS.join(', ')}`);
  return kind;
}

/**
 * A path relative to the action folder that cannot leave it (no absolute path, no `..`). A lexical
 * check: the folder check also resolves symbolic links.
 */
export function readRelativePath(source: Source, field: Field | undefined, what: string): string | undefined {
  const raw = readString(source, field, what);
  if (raw === undefined || field === undefined) return undefined;
  const slashed = raw.replaceAll('\\', '/');
  const outside = slashed.startsWith('/') || /^[a-zA-Z]:/.test(slashed) || slashed.split('/').includes('..');
  if (raw.trim() === '' || outside) {
    source.report(nodeOf(field), 'bad_path', `${what} "${raw}" must be a path inside the action folder, relative to it (no leading /, no ..)`);
    return undefined;
  }
  return path.posix.normalize(slashed);
}
