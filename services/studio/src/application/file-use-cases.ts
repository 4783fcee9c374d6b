import type { Clock, Ids } from '@trellis/kernel/ports';
import { deleteFile } from './delete-file.js';
import type { FileContents } from './file-ports.js';
import type { UnitOfWork } from './ports.js';
import { uploadFile } from './upload-file.js';

type InputOf<F> = F extends (deps: never, input: infer I) => unknown ? I : never;

export type FileDeps = { uow: UnitOfWork; clock: Clock; ids: Ids; contents: FileContents };

/** The use cases of uploaded files, bound once to their dependencies. */
export function makeFileUseCases(deps: FileDeps) {
  return {
    uploadFile: (input: InputOf<typeof uploadFile>) => uploadFile(deps, input),
    deleteFile: (input: InputOf<typeof deleteFile>) => deleteFile(deps, input),
  };
}

export type FileUseCases = ReturnType<typeof makeFileUseCases>;
