/**
 * What a run keeps in the object store (files, and values too large for a Postgres row), seen
 * from the engine. Keys are made here, under the run's own prefix, so deleting a run (retention,
 * DELETE /runner/runs/{id}) removes everything it kept.
 */
export type RunObjects = {
  /** The key of something run `runId` of the project keeps (`parts` joined under the run's prefix). */
  keyOf: (projectId: string, runId: string, ...parts: string[]) => string;
  /**
   * Where every run of the project keeps its objects. A value shaped like a stored file or a
   * stored value is honoured only under it: a run's JSON (a trigger input, an action's output)
   * cannot name another project's objects.
   */
  runsPrefix: (projectId: string) => string;
  /** A presigned GET URL of an object (an action reads an input file from it; a user downloads). */
  urlToRead: (object: string, options?: { readonly fileName?: string; readonly contentType?: string; readonly expirySeconds?: number }) => Promise<string>;
  /** A presigned PUT URL (an action writes an output file to it). */
  urlToWrite: (object: string) => Promise<string>;
  /** Size and content type (from the file name when the object has none of its own) of an object an action wrote; undefined when it wrote none. */
  describe: (object: string, fileName: string) => Promise<{ readonly size: number; readonly contentType: string } | undefined>;
  putText: (object: string, text: string) => Promise<void>;
  getText: (object: string) => Promise<string>;
};
