import type { JsonValue } from '@trellis/kernel/io';
import { HttpProblem } from '@trellis/platform/http/problem';
import type { RouteResult } from '@trellis/platform/http/route';
import type { ObjectStore } from '@trellis/platform/object-store';
import type { RunEnd } from '../../application/engine-port.js';
import type { RunObjects } from '../../application/run-objects.js';
import { fileView, isStoredFile, type StoredFile } from '../../domain/stored-file.js';
import { attachment, isMissing } from '../object-store/run-objects.js';

/** Where a run is read (the 202 of an HTTP trigger points here). */
export const RUNS_BASE = '/runner/runs';

/** How long a download link in an answer works. */
export const DOWNLOAD_URL_SECONDS = 15 * 60;

/** A run that goes on: where to read it. */
export const accepted = (runId: string): RouteResult => ({
  status: 202,
  headers: { location: `${RUNS_BASE}/${runId}` },
  body: { run_id: runId, status_url: `${RUNS_BASE}/${runId}`, result_url: `${RUNS_BASE}/${runId}/result` },
});

/** Why a run did not succeed, as the problem its caller gets. */
function failureOf(end: RunEnd): HttpProblem {
  if (end.status === 'canceled') return new HttpProblem(409, 'run_canceled', 'Run canceled', 'The run was canceled before it ended.', undefined, undefined, { run_id: end.runId });
  const status = end.error?.httpStatus;
  if (status !== undefined && Number.isInteger(status) && status >= 400 && status <= 599) {
    const code = end.error?.code ?? 'action_error';
    return new HttpProblem(status, code, 'The workflow failed', end.error?.message, undefined, undefined, { run_id: end.runId });
  }
  return new HttpProblem(500, 'run_failed', 'The run failed', 'The run failed; its id finds it in the runs API.', undefined, undefined, { run_id: end.runId });
}

/**
 * A run's file or stored value read back for an answer, when its object has gone from the store
 * (removed by hand, a bucket restored without it): the run still names it, so 410, not a 500.
 */
export async function readStored<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (isMissing(error)) throw new HttpProblem(410, 'run_file_gone', 'File gone', 'The run recorded this value, but it is no longer in the object store.');
    throw error;
  }
}

export type RunAnswers = {
  /** How a run's end answers an HTTP caller (the trigger's sync answer and the runs API's result). */
  answerOfEnd: (end: RunEnd, projectId: string) => Promise<RouteResult>;
  /** A stored file, streamed with its type and name. */
  fileAnswer: (file: StoredFile) => Promise<RouteResult>;
  /** A stored file as a short-lived link (the outputs route redirects to it). */
  downloadUrl: (file: StoredFile) => Promise<string>;
};

/**
 * Results answer as JSON, each file in them as `{name, size, content_type, url}` (a presigned
 * link valid 15 minutes); results that are one file answer as that file.
 */
export function makeRunAnswers(store: ObjectStore, objects: Pick<RunObjects, 'urlToRead' | 'runsPrefix'>): RunAnswers {
  const downloadUrl = (file: StoredFile) => objects.urlToRead(file.object, { fileName: file.name, contentType: file.content_type, expirySeconds: DOWNLOAD_URL_SECONDS });
  // Only the project's own run files become links: JSON shaped like a file elsewhere stays JSON.
  const withLinks = async (value: JsonValue, prefix: string): Promise<JsonValue> => {
    if (isStoredFile(value) && value.object.startsWith(prefix)) return { ...fileView(value), url: await downloadUrl(value) };
    if (Array.isArray(value)) return Promise.all(value.map((item) => withLinks(item, prefix)));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([key, item]) => [key, await withLinks(item, prefix)] as const)));
    }
    return value;
  };
  const fileAnswer = async (file: StoredFile): Promise<RouteResult> => ({
    status: 200, contentType: file.content_type || 'application/octet-stream',
    headers: { 'content-length': String(file.size), 'content-disposition': attachment(file.name) },
    body: await readStored(() => store.client.getObject(store.bucket, file.object)),
  });
  return {
    answerOfEnd: async (end, projectId) => {
      if (end.status !== 'succeeded') throw failureOf(end);
      const prefix = objects.runsPrefix(projectId);
      const results = end.results ?? {};
      const values = Object.values(results);
      const only = values.length === 1 ? values[0] : undefined;
      if (isStoredFile(only) && only.object.startsWith(prefix)) return fileAnswer(only);
      return { status: 200, body: await withLinks(results, prefix) };
    },
    fileAnswer,
    downloadUrl,
  };
}
