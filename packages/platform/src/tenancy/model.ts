import type { Role } from '@trellis/kernel/roles';

/*
 * Tenancy as every service but authorization sees it: the projects and API keys that
 * authorization announces, replicated into each service's own database so that it can check
 * credentials and own data per project without asking authorization. Plain data; the rules are
 * in replication.ts, the adapters in postgres.ts, codecs.ts and consumer.ts.
 */

/** A project as a service knows it: announced by authorization, kept so that its data can belong to it. */
export type KnownProject = {
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
};

export type ProjectAnnouncement = { readonly projectId: string; readonly name: string; readonly occurredAt: Date };

/** Authorization deleted the project: everything a service keeps for it goes. */
export type ProjectDeletion = { readonly projectId: string; readonly occurredAt: Date };

/**
 * A project API key announced by authorization. Only the SHA-256 of its secret ever reaches a
 * service: enough to recognise the key, useless to forge it.
 */
export type IssuedApiKey = {
  readonly keyId: string;
  readonly projectId: string;
  readonly role: Role;
  readonly secretSha256: string;
  readonly expiresAt: Date | null;
};

export type ApiKeyRevocation = { readonly keyId: string; readonly projectId: string; readonly revokedAt: Date };

/** The projects a service knows, with the tombstones of those deleted. */
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

export type Tenancy = { projects: KnownProjects; apiKeys: ReplicatedApiKeys };
