import { lookup } from 'mime-types';
import { isMissingObject, projectPrefix, type ObjectStore } from '@trellis/platform/object-store';
import type { RunObjects } from '../../application/run-objects.js';

/** Long enough for an action to read its inputs and write its outputs within any step's timeout. */
const ACTION_URL_SECONDS = 6 * 60 * 60;
const GENERIC_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream']);

/** The store's answer for an object that is not there (deleted by hand, lost with a bucket). */
export const isMissing = isMissingObject;

/** A content type from a file name, or application/octet-stream. */
export function contentTypeOf(fileName: string): string {
  return lookup(fileName) || 'application/octet-stream';
}

/** `Content-Disposition: attachment` with the name in both the plain and the RFC 5987 forms. */
export function attachment(fileName: string): string {
  const plain = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${plain}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/** Run objects in the instance's bucket, under `runner/projects/<project>/runs/<run>/`. */
export function makeRunObjects(store: ObjectStore, service: string): RunObjects {
  const { client, bucket } = store;
  return {
    keyOf: (projectId, runId, ...parts) => `${projectPrefix(service, projectId)}runs/${runId}/${parts.join('/')}`,
    runsPrefix: (projectId) => `${projectPrefix(service, projectId)}runs/`,
    urlToRead: async (object, options = {}) => {
      const headers: Record<string, string> = {};
      if (options.fileName !== undefined) headers['response-content-disposition'] = attachment(options.fileName);
      if (options.contentType !== undefined) headers['response-content-type'] = options.contentType;
      return client.presignedGetObject(bucket, object, options.expirySeconds ?? ACTION_URL_SECONDS, headers);
    },
    urlToWrite: (object) => client.presignedPutObject(bucket, object, ACTION_URL_SECONDS),
    describe: async (object, fileName) => {
      try {
        const stat = await client.statObject(bucket, object);
        const stored = String(stat.metaData?.['content-type'] ?? '').toLowerCase();
        return { size: stat.size, contentType: GENERIC_TYPES.has(stored) ? contentTypeOf(fileName) : stored };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
    putText: async (object, text) => {
      await client.putObject(bucket, object, Buffer.from(text), undefined, { 'Content-Type': 'application/json' });
    },
    getText: async (object) => {
      const stream = await client.getObject(bucket, object);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}
