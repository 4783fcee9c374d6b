import type { Readable } from 'node:stream';
import type { Logger } from '@trellis/platform/logger';
import { DEFAULT_PART_SIZE, projectPrefix, uploadStream, type ObjectStore } from '@trellis/platform/object-store';
import type { FileContents } from '../../application/file-ports.js';
import { SERVICE } from '../rabbitmq/topology.js';

/** `studio/projects/<project>/files/<file>`: where an uploaded file's content lives. */
export function fileObject(projectId: string, fileId: string): string {
  return `${projectPrefix(SERVICE, projectId)}files/${fileId}`;
}

const isMissing = (error: unknown) => ['NotFound', 'NoSuchKey'].includes(String((error as { code?: unknown }).code));

export type FileStore = FileContents & {
  /** A stored content, as a stream read from the store. */
  read: (object: string) => Promise<Readable>;
};

/**
 * Files' contents in the object store, streamed in (platform `uploadStream`: hashed as they
 * arrive, at most one part in memory, removed again on failure; what could not be cleaned up is
 * logged).
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
      const stored = await uploadStream(store, object, content, {
        contentType, partSize,
        onLeftover: (error, uploadId) => options.logger?.warn('a failed upload left data in the object store', { object, upload_id: uploadId, error }),
      });
      return { object, ...stored };
    },
    remove,
    read: (object) => client.getObject(bucket, object),
  };
}
