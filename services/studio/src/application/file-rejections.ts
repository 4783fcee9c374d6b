/** An id that names no file of the caller's project (or no file at all): 404, whoever asks. */
export type FileNotFound = { readonly type: 'FileNotFound' };
/** A file a live version of a workflow gives as a static value cannot be deleted; the workflows are named. */
export type FileInUse = { readonly type: 'FileInUse'; readonly id: string; readonly name: string; readonly workflows: readonly string[] };

export const fileNotFound: FileNotFound = { type: 'FileNotFound' };
