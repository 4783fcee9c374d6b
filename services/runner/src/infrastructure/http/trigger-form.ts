import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { IoDeclaration } from '@trellis/workflow-language/document';
import { HttpProblem } from '@trellis/platform/http/problem';
import { uploadStream, type ObjectStore } from '@trellis/platform/object-store';
import { safeFileName, storedFile, type StoredFile } from '../../domain/stored-file.js';
import type { QueryValue } from '../../domain/trigger-inputs.js';
import { contentTypeOf } from '../object-store/run-objects.js';

/*
 * A multipart/form-data request to an HTTP trigger: its file parts streamed to the object store
 * under the new run's prefix (`trigger/<input>`), its text fields kept as strings for the
 * trigger's checks. A file part for a name the trigger does not take as a file is read and
 * dropped (the checks then name it); nothing is kept in memory but text fields.
 */

/** The object of a file part that was read and dropped (its input takes no file). */
const NOT_KEPT = '(not kept)';

const LIMITS = { fields: 1000, fieldSize: 1024 * 1024, files: 100, parts: 1100 };

export type Form = {
  readonly given: Record<string, QueryValue>;
  /** Every object written, so they can be removed when the run does not start. */
  readonly objects: readonly string[];
};

const badForm = (detail: string) => new HttpProblem(400, 'invalid_multipart', 'Invalid multipart body', detail);

/** Reads the form of `body` (a stream whose length the platform already bounds), writing its files with `keyOf(input)`. */
export async function readTriggerForm(
  store: ObjectStore, body: Readable, contentType: string, declared: readonly IoDeclaration[], keyOf: (input: string) => string,
): Promise<Form> {
  const fileInputs = new Set(declared.filter((io) => io.type === 'file' || io.type === 'directory').map((io) => io.name));
  const directories = new Set(declared.filter((io) => io.type === 'directory').map((io) => io.name));
  const given: Record<string, QueryValue> = {};
  const objects: string[] = [];
  const uploads: Promise<void>[] = [];
  const repeat = (name: string, value: string | StoredFile) => {
    const before = given[name];
    if (before === undefined) given[name] = value;
    else given[name] = [...(Array.isArray(before) ? before : [String(before)]), typeof value === 'string' ? value : value.name];
  };

  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: { 'content-type': contentType }, limits: LIMITS, defParamCharset: 'utf8' });
  } catch (error) {
    throw badForm((error as Error).message);
  }
  const done = new Promise<void>((resolve, reject) => {
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) reject(new HttpProblem(413, 'field_too_large', 'Field too large', `The field ${name} is longer than ${LIMITS.fieldSize} bytes.`));
      else repeat(name, value);
    });
    parser.on('file', (name, stream, info) => {
      if (!fileInputs.has(name) || given[name] !== undefined) {
        // Not a file input (or a second file for it): read and dropped; the checks name it.
        stream.resume();
        repeat(name, storedFile(NOT_KEPT, safeFileName(info.filename, name), 0, ''));
        return;
      }
      const fallback = directories.has(name) ? `${name}.tar` : name;
      const fileName = safeFileName(info.filename, fallback);
      const type = info.mimeType && info.mimeType !== 'application/octet-stream' ? info.mimeType : contentTypeOf(fileName);
      const object = keyOf(name);
      objects.push(object);
      given[name] = storedFile(object, fileName, 0, type);
      const upload = uploadStream(store, object, stream, { contentType: type }).then(({ size }) => {
        given[name] = storedFile(object, fileName, size, type);
      });
      // Awaited below; a failure before then must not count as unhandled.
      upload.catch(() => undefined);
      uploads.push(upload);
    });
    parser.on('partsLimit', () => reject(badForm(`A form takes at most ${LIMITS.parts} parts.`)));
    parser.on('filesLimit', () => reject(badForm(`A form takes at most ${LIMITS.files} files.`)));
    parser.on('fieldsLimit', () => reject(badForm(`A form takes at most ${LIMITS.fields} fields.`)));
    parser.on('error', (error: Error) => reject(error instanceof HttpProblem ? error : badForm(error.message)));
    parser.on('close', resolve);
    body.on('error', (error) => parser.destroy(error));
  });
  body.pipe(parser);
  try {
    await done;
    await Promise.all(uploads);
  } catch (error) {
    body.unpipe(parser);
    body.resume();
    await Promise.allSettled(uploads);
    await removeQuietly(store, objects);
    // The platform's own 413 (the body passed its limit) reaches the parser as its stream error.
    if (error instanceof HttpProblem) throw error;
    const cause = (error as { cause?: unknown }).cause;
    throw cause instanceof HttpProblem ? cause : error;
  }
  return { given, objects };
}

export async function removeQuietly(store: ObjectStore, objects: readonly string[]): Promise<void> {
  if (objects.length > 0) await store.client.removeObjects(store.bucket, [...objects]).catch(() => undefined);
}
