/** Ports every service's use cases take the same way: time and ids come in, never from globals. */
export type Clock = () => Date;
export type Ids = () => string;

export type UnitOfWorkOptions = {
  /**
   * Commit what `work` wrote even when it returns a rejection: for a refusal that must leave a
   * trace (an audit row, a throttle counter, a revoked session). Off by default.
   */
  readonly keepOnRejection?: boolean;
};

/**
 * Runs `work` in one transaction over the service's repositories (`Tx`) and commits when it
 * returns. A rejection (a result with `ok: false`) rolls back everything `work` wrote, as a
 * thrown error does, unless the use case asks for `keepOnRejection`.
 */
export type UnitOfWork<Tx> = <R>(work: (tx: Tx) => Promise<R>, options?: UnitOfWorkOptions) => Promise<R>;

/** A service's objects of one project in the object store (all under one prefix per service and project). */
export type ProjectObjects = {
  /**
   * Removes every object of the project. Idempotent: objects already gone are not an error.
   * Throws when the store fails; what was removed stays removed, the rest waits for the next call.
   */
  deleteAll: (projectId: string) => Promise<{ deleted: number }>;
};
