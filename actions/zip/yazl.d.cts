// yazl ships no type declarations: the part of its API this action uses.
declare module 'yazl' {
  import type { Readable } from 'node:stream';

  namespace yazl {
    interface EntryOptions { mtime?: Date; mode?: number; compressionLevel?: number }
    class ZipFile {
      outputStream: Readable;
      addFile(realPath: string, metadataPath: string, options?: EntryOptions): void;
      addEmptyDirectory(metadataPath: string, options?: { mtime?: Date; mode?: number }): void;
      end(): void;
    }
  }
  export = yazl;
}
