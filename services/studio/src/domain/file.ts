/*
 * A file uploaded to a project: bytes kept in the object store, given to an action as the static
 * value of a file input (`{ file: "<id>" }`). Its name is what the action sees as the file's name,
 * so it is one plain file name; its content type is only a label, served back with the bytes.
 */

import { ok, rejected, type Result } from '@trellis/kernel/result';

export const MAX_FILE_NAME_LENGTH = 255;

/** What an unnamed or unrecognised type of content is served as. */
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

export type UploadedFile = {
  readonly id: string;
  readonly projectId: string;
  readonly name: string;
  readonly contentType: string;
  /** In bytes. */
  readonly size: number;
  /** SHA-256 of the content, lowercase hex. */
  readonly sha256: string;
  /** Its key in the object store. */
  readonly object: string;
  readonly createdAt: Date;
  /** The user id (or API key id) that uploaded it. */
  readonly createdBy: string;
};

export type InvalidFileName = { readonly type: 'InvalidFileName'; readonly reason: string };

/** C0 controls, DEL and C1 controls: nothing a file name (or a header carrying it) should hold. */
const isControl = (character: string) => {
  const code = character.codePointAt(0) ?? 0;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
};

/** Undefined when `name` may name an uploaded file; otherwise why not. */
export function checkFileName(name: string): InvalidFileName | undefined {
  const length = [...name].length;
  if (length === 0) return { type: 'InvalidFileName', reason: 'is empty' };
  if (length > MAX_FILE_NAME_LENGTH) return { type: 'InvalidFileName', reason: `is longer than ${MAX_FILE_NAME_LENGTH} characters` };
  if (name.includes('/') || name.includes('\\')) return { type: 'InvalidFileName', reason: 'holds a "/" or "\\" (it is one file name, not a path)' };
  if ([...name].some(isControl)) return { type: 'InvalidFileName', reason: 'holds a control character' };
  if (name === '.' || name === '..') return { type: 'InvalidFileName', reason: 'is "." or ".." (a folder, not a file)' };
  return undefined;
}

/** RFC 9110 token characters: what a type and a subtype are made of. */
const MEDIA_TYPE = /^[!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+$/;

/**
 * The content type a file is kept and served with: the plain `type/subtype` of what the upload
 * said (parameters dropped, lowercased), or application/octet-stream when that is not one.
 */
export function contentTypeOf(declared: string): string {
  const plain = (declared.split(';')[0] ?? '').trim().toLowerCase();
  return plain.length <= 127 && MEDIA_TYPE.test(plain) && !plain.includes('*') ? plain : DEFAULT_CONTENT_TYPE;
}

/** What is known of a file before a byte of it is read: refused here, an upload reads nothing. */
export type Announced = { readonly name: string; readonly contentType: string };

export function announce(input: { name: string; declaredType: string }): Result<Announced, InvalidFileName> {
  const bad = checkFileName(input.name);
  return bad ? rejected(bad) : ok({ name: input.name, contentType: contentTypeOf(input.declaredType) });
}

/** The file once its content is stored. */
export function stored(
  announced: Announced,
  input: { id: string; projectId: string; size: number; sha256: string; object: string; by: string; now: Date },
): UploadedFile {
  return {
    id: input.id, projectId: input.projectId, name: announced.name, contentType: announced.contentType, size: input.size, sha256: input.sha256,
    object: input.object, createdAt: input.now, createdBy: input.by,
  };
}
