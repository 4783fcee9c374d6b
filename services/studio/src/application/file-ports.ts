import type { UploadedFile } from '../domain/file.js';

export type FileRepository = {
  insert: (file: UploadedFile) => Promise<void>;
  /** Locked until the transaction ends (a deploy naming it waits, or is waited for). */
  findForUpdate: (projectId: string, id: string) => Promise<UploadedFile | undefined>;
  /** False when there was no such file. */
  delete: (projectId: string, id: string) => Promise<boolean>;
  /** Those of `ids` that name a file of the project (what the workflow validator checks `{ file: <id> }` against). */
  existing: (projectId: string, ids: readonly string[]) => Promise<string[]>;
  /** Those of `ids` the project has, by id, locked against deletion until the transaction ends: what a deploy sends. */
  findForShare: (projectId: string, ids: readonly string[]) => Promise<UploadedFile[]>;
};

/** Where the bytes of uploaded files live (the object store). */
export type FileContents = {
  /**
   * Streams `content` into the store as the project's file `fileId`, computing its size and
   * SHA-256 on the way, and says where it is. Throws when reading the content or storing it
   * fails (or `content` throws, e.g. past a size limit), leaving nothing behind.
   */
  store: (file: { projectId: string; fileId: string; contentType: string }, content: AsyncIterable<Uint8Array>) => Promise<{ object: string; size: number; sha256: string }>;
  /** Removes a file's content; one already gone is no error. */
  remove: (object: string) => Promise<void>;
};
