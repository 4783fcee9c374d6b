import type { ApiKeyRevocation, IssuedApiKey } from '../domain/api-key.js';
import type { KnownProject } from '../domain/project.js';

export type KnownProjects = {
  /** False when the project was already recorded (a redelivery or a replay). */
  insertIfAbsent: (project: KnownProject) => Promise<boolean>;
  /**
   * Deletes the project's row and remembers that the project was deleted, so that an
   * announcement arriving late (a retried message) cannot bring it back.
   */
  forget: (projectId: string, deletedAt: Date) => Promise<{ wasKnown: boolean }>;
  wasDeleted: (projectId: string) => Promise<boolean>;
};

/** The API keys of every project, replicated from authorization's announcements. */
export type ReplicatedApiKeys = {
  /** Idempotent: recording a key again changes nothing, and never un-revokes it. */
  record: (key: IssuedApiKey) => Promise<void>;
  /** Also when the key's announcement has not arrived yet, so that a late one cannot revive it. */
  revoke: (revocation: ApiKeyRevocation) => Promise<void>;
  deleteProject: (projectId: string) => Promise<void>;
};

/** A project's objects in the object store (all of them live under one prefix per project). */
export type ProjectObjects = {
  /**
   * Removes every object of the project. Idempotent: objects already gone are not an error.
   * Throws when the store fails; what was removed stays removed, the rest waits for the next call.
   */
  deleteAll: (projectId: string) => Promise<{ deleted: number }>;
};
