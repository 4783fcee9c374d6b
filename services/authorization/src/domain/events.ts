import type { Role } from './role.js';

/** What the authorization service tells the rest of Trellis. Ids of the messages themselves are given at the edge. */
export type ProjectCreated = {
  readonly type: 'ProjectCreated';
  readonly projectId: string;
  readonly name: string;
  readonly createdBy: string;
  readonly occurredAt: Date;
};

export type ProjectDeleted = {
  readonly type: 'ProjectDeleted';
  readonly projectId: string;
  readonly deletedBy: string;
  readonly occurredAt: Date;
};

export type UserDeleted = {
  readonly type: 'UserDeleted';
  readonly userId: string;
  readonly occurredAt: Date;
};

/** `role` is null when the user left the project. */
export type MembershipChanged = {
  readonly type: 'MembershipChanged';
  readonly projectId: string;
  readonly userId: string;
  readonly role: Role | null;
  readonly changedBy: string;
  readonly occurredAt: Date;
};

/** Carries the SHA-256 of the key, never the key, so every service can recognise it locally. */
export type ApiKeyIssued = {
  readonly type: 'ApiKeyIssued';
  readonly keyId: string;
  readonly projectId: string;
  readonly role: Role;
  readonly secretSha256: string;
  readonly expiresAt: Date | null;
  readonly occurredAt: Date;
};

export type ApiKeyRevoked = {
  readonly type: 'ApiKeyRevoked';
  readonly keyId: string;
  readonly projectId: string;
  readonly occurredAt: Date;
};

export type AuthorizationEvent = ProjectCreated | ProjectDeleted | UserDeleted | MembershipChanged | ApiKeyIssued | ApiKeyRevoked;
