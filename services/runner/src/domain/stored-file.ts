import type { JsonValue } from '@trellis/kernel/io';

/*
 * A file (or a directory, as one tar archive) as a run holds it: an object in the instance's
 * bucket, never its bytes. This is the value of a `file`/`directory` trigger input, step output
 * or step input in a run's state and rows, so `${{ steps.a.report.name }}` and `.size` read as
 * users expect. Actions never see the object key: the engine hands them presigned URLs.
 *
 * A static value in a workflow document is `{ "file": "<uploaded file id>" }` (studio's files);
 * the engine turns it into a StoredFile from the version's pinned files.
 */
export type StoredFile = {
  /** Object key in the instance's bucket. */
  readonly object: string;
  /** The file name (no directory). */
  readonly name: string;
  readonly size: number;
  readonly content_type: string;
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function isStoredFile(value: unknown): value is StoredFile {
  return isRecord(value) && typeof value['object'] === 'string' && value['object'] !== '' && typeof value['name'] === 'string'
    && typeof value['size'] === 'number' && typeof value['content_type'] === 'string';
}

/** `{ "file": "<id>" }`: an uploaded file named by a workflow document. */
export function staticFileId(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 && typeof value['file'] === 'string' && value['file'] !== '' ? value['file'] : undefined;
}

export function storedFile(object: string, name: string, size: number, contentType: string): StoredFile {
  return { object, name, size, content_type: contentType };
}

/** What a user sees of a stored file: everything but where it is kept. */
export function fileView(file: StoredFile): Record<string, JsonValue> {
  return { name: file.name, size: file.size, content_type: file.content_type };
}

/** A file name as a stored name: no directory, no control characters, at most 255 bytes; `fallback` when nothing is left. */
export function safeFileName(name: string | undefined, fallback: string): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (clean === '' || clean === '.' || clean === '..') return fallback;
  const encoder = new TextEncoder();
  let cut = clean;
  while (encoder.encode(cut).length > 255) cut = cut.slice(0, -1);
  return cut;
}
