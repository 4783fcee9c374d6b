import type { JsonValue } from '@trellis/kernel/io';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import type { StaticFile } from '../domain/deployment.js';
import { isStoredFile, safeFileName, staticFileId, storedFile, type StoredFile } from '../domain/stored-file.js';
import type { RunObjects } from './run-objects.js';
import type { ActionValues, ActionVersionRef } from './site.js';

/*
 * Between a run's values and a call's: file and directory inputs (stored files, or a document's
 * `{ "file": "<id>" }`) become presigned GET URLs, each file or directory output gets a presigned
 * PUT URL under the attempt's own key, and what the action wrote comes back as a stored file.
 * The action never holds store credentials, and two attempts never write the same object.
 */

const isFileType = (type: string) => type === 'file' || type === 'directory';

export type CallValues = {
  readonly inputs: ActionValues;
  readonly outputUrls: Readonly<Record<string, string>>;
  /** Where each file or directory output is written, by output name. */
  readonly outputObjects: ReadonlyMap<string, string>;
};

export type CallPlace = { readonly projectId: string; readonly runId: string; readonly step: string; readonly attempt: number };

function asStored(value: JsonValue, files: ReadonlyMap<string, StaticFile>, runsPrefix: string): StoredFile | string {
  // A run's file is under the project's runs; JSON shaped like one anywhere else names nothing it may read.
  if (isStoredFile(value)) return value.object.startsWith(runsPrefix) ? value : 'names a file that is no file of this project\'s runs';
  const id = staticFileId(value);
  if (id === undefined) return 'takes a file';
  const file = files.get(id);
  if (!file) return `names the uploaded file ${id}, which this version does not pin`;
  return storedFile(file.object, file.name, file.size, file.contentType);
}

/** The values to call `action` with at `place`, or why a file input cannot be given to it. */
export async function callValuesOf(
  objects: Pick<RunObjects, 'keyOf' | 'urlToRead' | 'urlToWrite' | 'runsPrefix'>, action: Pick<ActionVersionRef, 'inputs' | 'outputs'>,
  inputs: Readonly<Record<string, JsonValue>>, files: ReadonlyMap<string, StaticFile>, place: CallPlace,
): Promise<Result<CallValues, string>> {
  const fileInputs = action.inputs.filter((io) => isFileType(io.type) && inputs[io.name] !== undefined && inputs[io.name] !== null);
  const fileOutputs = action.outputs.filter((io) => isFileType(io.type));
  if (fileInputs.length === 0 && fileOutputs.length === 0) return ok({ inputs, outputUrls: {}, outputObjects: new Map() });
  const given: Record<string, JsonValue> = { ...inputs };
  const problems: string[] = [];
  for (const io of fileInputs) {
    const stored = asStored(inputs[io.name] as JsonValue, files, objects.runsPrefix(place.projectId));
    if (typeof stored === 'string') {
      problems.push(`${io.name} is a ${io.type} input and ${stored}`);
      continue;
    }
    given[io.name] = { url: await objects.urlToRead(stored.object), name: stored.name, size: stored.size };
  }
  if (problems.length > 0) return rejected(problems.join('; '));
  const outputUrls: Record<string, string> = {};
  const outputObjects = new Map<string, string>();
  for (const io of fileOutputs) {
    const object = objects.keyOf(place.projectId, place.runId, 'steps', place.step, String(place.attempt), io.name);
    outputObjects.set(io.name, object);
    outputUrls[io.name] = await objects.urlToWrite(object);
  }
  return ok({ inputs: given, outputUrls, outputObjects });
}

/** The outputs as the run keeps them: each file or directory the action wrote, as a stored file (checked in the store). */
export async function storedOutputs(
  objects: Pick<RunObjects, 'describe'>, action: Pick<ActionVersionRef, 'outputs'>, outputs: ActionValues, outputObjects: ReadonlyMap<string, string>,
): Promise<Result<Record<string, JsonValue>, string>> {
  if (outputObjects.size === 0) return ok({ ...outputs });
  const kept: Record<string, JsonValue> = { ...outputs };
  const problems: string[] = [];
  for (const io of action.outputs) {
    const object = outputObjects.get(io.name);
    const value = outputs[io.name];
    if (object === undefined || value === undefined || value === null) continue;
    const claimed = typeof value === 'object' && !Array.isArray(value) ? value : {};
    const fallback = io.type === 'directory' ? `${io.name}.tar` : io.name;
    const name = io.type === 'directory' ? fallback : safeFileName(typeof claimed['name'] === 'string' ? claimed['name'] : undefined, fallback);
    const found = await objects.describe(object, name);
    if (!found) {
      problems.push(`output '${io.name}' (${io.type}) was not uploaded`);
      continue;
    }
    kept[io.name] = storedFile(object, name, found.size, io.type === 'directory' ? 'application/x-tar' : found.contentType);
  }
  return problems.length > 0 ? rejected(problems.join('; ')) : ok(kept);
}
