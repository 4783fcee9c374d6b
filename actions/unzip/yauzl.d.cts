// yauzl ships no type declarations: the part of its API this action uses.
declare module 'yauzl' {
  import type { EventEmitter } from 'node:events';
  import type { Readable } from 'node:stream';

  namespace yauzl {
    interface Entry {
      fileName: string | Buffer;
      generalPurposeBitFlag: number;
      extraFields: Array<{ id: number; data: Buffer }>;
      externalFileAttributes: number;
      compressedSize: number;
      uncompressedSize: number;
    }
    interface ZipFile extends EventEmitter {
      entryCount: number;
      readEntry(): void;
      openReadStreamPromise(entry: Entry): Promise<Readable>;
      close(): void;
    }
    interface Options { lazyEntries?: boolean; decodeStrings?: boolean; validateEntrySizes?: boolean; autoClose?: boolean; strictFileNames?: boolean }
    function openPromise(path: string, options?: Options): Promise<ZipFile>;
    function getFileNameLowLevel(generalPurposeBitFlag: number, fileName: Buffer, extraFields: Entry['extraFields'], strictFileNames: boolean): string;
  }
  export = yauzl;
}
