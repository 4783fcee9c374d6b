import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Logger } from '@trellis/platform/logger';
import { projectPrefix, type ObjectStore } from '@trellis/platform/object-store';
import type { FileContents } from '../../application/file-ports.js';
import { SERVICE } from '../rabbitmq/topology.js';

/** `studio/projects/<project>/files/<file>`: where an uploaded file's content lives. */
export function fileObject(projectId: string, fileId: string): string {
  return `${projectPrefix(SERVICE, projectId)}files/${fileId}`;
}

/** S3 takes parts of 5 MiB at least (but the last), and at most 10 000 of them: 8 MiB parts hold up to 78 GiB. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

const isMissing = (error: unknown) => ['NotFound', 'NoSuchKey'].includes(String((error as { code?: unknown }).code));

export type FileStore = FileContents & {
  /** A stored content, as a stream read from the store. */
  read: (object: string) => Promise<Readable>;
};

/**
 * Files' contents in the object store. A content is read, hashed and sent on as it arrives: a
 * small one in one PUT, a larger one as a multipart upload of `partSize` parts, so at most one
 * part is held in memory whatever the file's size. A failure (of the content's source, e.g. past
 * the size limit, or of the store) aborts the multipart upload and removes whatever was stored,
 * then is thrown as it was; what could not be cleaned up is logged (a store without
 * AbortMultipartUpload, such as s3rver, keeps the parts sent; nothing names them).
 */
export function makeFileContents(store: ObjectStore, options: { partSize?: number; logger?: Logger } = {}): FileStore {
  const { client, bucket } = store;
  const partSize = options.partSize ?? DEFAULT_PART_SIZE;
  const remove = async (object: string) => {
    try {
      await client.removeObject(bucket, object);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  };
  return {
    store: async ({ projectId, fileId, contentType }, content) => {
      const object = fileObject(projectId, fileId);
      const headers = { 'Content-Type': contentType };
      const hash = createHash('sha256');
      let size = 0;
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      let uploadId: string | undefined;
      const parts: { part: number; etag: string }[] = [];
      const sendPart = async () => {
        uploadId ??= await client.initiateNewMultipartUpload(bucket, object, headers);
        const part = parts.length + 1;
        const body = Buffer.concat(pending);
        pending = [];
        pendingBytes = 0;
        const { etag } = await client.uploadPart({ bucketName: bucket, objectName: object, uploadID: uploadId, partNumber: part, headers: {} }, body);
        parts.push({ part, etag });
      };
      try {
        for await (const chunk of content) {
          hash.update(chunk);
          size += chunk.length;
          pending.push(chunk);
          pendingBytes += chunk.length;
          if (pendingBytes >= partSize) await sendPart();
        }
        if (uploadId === undefined) {
          await client.putObject(bucket, object, Buffer.concat(pending), size, headers);
        } else {
          if (pendingBytes > 0) await sendPart();
          await client.completeMultipartUpload(bucket, object, uploadId, parts);
        }
        return { object, size, sha256: hash.digest('hex') };
      } catch (error) {
        const cleanUp = await Promise.allSettled([remove(object), ...(uploadId === undefined ? [] : [client.abortMultipartUpload(bucket, object, uploadId)])]);
        for (const outcome of cleanUp) {
          if (outcome.status === 'rejected') options.logger?.warn('a failed upload left data in the object store', { object, upload_id: uploadId, error: outcome.reason as unknown });
        }
        throw error;
      }
    },
    remove,
    read: (object) => client.getObject(bucket, object),
  };
}
