import type { UnitOfWorkOptions } from '@trellis/kernel/ports';
import type { ApiKey } from '../domain/api-key.js';
import type { AuditEntry } from '../domain/audit.js';
import type { AuthorizationEvent } from '../domain/events.js';
import type { ThrottleCounter, ThrottleKey } from '../domain/login-throttle.js';
import type { Membership } from '../domain/membership.js';
import type { Project } from '../domain/project.js';
import type { AccessClaims, ProjectMembership, RefreshToken, RevokeReason, Session } from '../domain/session.js';
import type { KeyTimes } from '../domain/signing-key.js';
import type { User } from '../domain/user.js';

export type ProjectRepository = {
  findById: (id: string) => Promise<Project | undefined>;
  findByName: (name: string) => Promise<Project | undefined>;
  /** False when a project of that name already exists (another replica may have won the race). */
  insertIfNameFree: (project: Project) => Promise<boolean>;
  update: (project: Project) => Promise<void>;
  /** Deletes the project with its memberships and API keys. */
  delete: (id: string) => Promise<void>;
};

export type UserRepository = {
  findById: (id: string) => Promise<User | undefined>;
  findByUsername: (username: string) => Promise<User | undefined>;
  /** False when the username is taken. */
  insertIfUsernameFree: (user: User) => Promise<boolean>;
  update: (user: User) => Promise<void>;
  /** Deletes the user with their memberships and sessions. */
  delete: (id: string) => Promise<void>;
  /** Ids of the enabled admins, locked until the transaction ends, so two removals cannot both pass the last-admin rule. */
  lockActiveAdmins: () => Promise<string[]>;
  exists: () => Promise<boolean>;
};

export type MembershipRepository = {
  find: (projectId: string, userId: string) => Promise<Membership | undefined>;
  /** Every membership of the project, locked until the transaction ends (the last-owner rule reads them). */
  lockProject: (projectId: string) => Promise<Membership[]>;
  /** The user's projects with their names and roles. */
  projectsOf: (userId: string) => Promise<ProjectMembership[]>;
  upsert: (membership: Membership) => Promise<void>;
  delete: (projectId: string, userId: string) => Promise<void>;
};

export type ApiKeyRepository = {
  insert: (apiKey: ApiKey) => Promise<void>;
  find: (projectId: string, keyId: string) => Promise<ApiKey | undefined>;
  update: (apiKey: ApiKey) => Promise<void>;
};

export type SessionRepository = {
  insert: (session: Session) => Promise<void>;
  /** Locked until the transaction ends. */
  findForUpdate: (id: string) => Promise<Session | undefined>;
  update: (session: Session) => Promise<void>;
  /** Revokes every open session of the user except `keep`. */
  revokeAllOf: (userId: string, input: { now: Date; reason: RevokeReason; keep?: string }) => Promise<void>;
};

export type RefreshTokenRepository = {
  insert: (token: RefreshToken) => Promise<void>;
  /**
   * Not locked: every change to a family's tokens happens under its session's lock, so a
   * caller reads again after locking the session to see what a concurrent refresh did.
   */
  find: (sha256: string) => Promise<RefreshToken | undefined>;
  /** Marks every unused token of the session as used: the next one issued is the only live one. */
  useAllOf: (sessionId: string, now: Date) => Promise<void>;
};

/** A signing key as stored: the private half sealed with the instance secret. */
export type StoredSigningKey = KeyTimes & {
  readonly algorithm: string;
  readonly publicJwk: Readonly<Record<string, string>>;
  readonly sealedPrivateKey: string;
};

export type SigningKeyRepository = {
  /** Serialises rotations across replicas for the rest of the transaction. */
  lock: () => Promise<void>;
  list: () => Promise<KeyTimes[]>;
  insert: (key: StoredSigningKey) => Promise<void>;
  retire: (kids: readonly string[], at: Date) => Promise<void>;
  delete: (kids: readonly string[]) => Promise<void>;
};

export type LoginThrottleRepository = {
  /** The counters of these keys, locked until the transaction ends (concurrent attempts queue up). */
  lock: (keys: readonly ThrottleKey[]) => Promise<ThrottleCounter[]>;
  save: (counter: ThrottleCounter) => Promise<void>;
  reset: (key: ThrottleKey) => Promise<void>;
};

export type AuditLog = {
  record: (entry: AuditEntry) => Promise<void>;
};

/** Events recorded here are published if and only if the unit of work commits. */
export type EventOutbox = {
  append: (events: readonly AuthorizationEvent[]) => Promise<void>;
};

export type Transaction = {
  projects: ProjectRepository;
  users: UserRepository;
  memberships: MembershipRepository;
  apiKeys: ApiKeyRepository;
  sessions: SessionRepository;
  refreshTokens: RefreshTokenRepository;
  signingKeys: SigningKeyRepository;
  loginThrottle: LoginThrottleRepository;
  audit: AuditLog;
  outbox: EventOutbox;
};

/**
 * The kernel's unit of work, with the request's trace id for the outbox: commits when `work`
 * returns; a rejection rolls back unless the use case asks `{ keepOnRejection: true }` (a
 * refused login keeps its audit and throttle rows on purpose).
 */
export type UnitOfWork = <T>(context: { traceId: string }, work: (tx: Transaction) => Promise<T>, options?: UnitOfWorkOptions) => Promise<T>;

export type { Clock, Ids } from '@trellis/kernel/ports';

export type PasswordHasher = {
  hash: (password: string) => Promise<string>;
  verify: (password: string, hash: string) => Promise<boolean>;
  /** Costs what a verification costs, so an unknown username answers as slowly as a wrong password. */
  spend: (password: string) => Promise<void>;
};

/** Random credentials. Only their SHA-256 is ever stored. */
export type Secrets = {
  /** An opaque refresh token with at least 256 bits of randomness. */
  refreshToken: () => { token: string; sha256: string };
  hashRefreshToken: (token: string) => string;
  apiKey: () => { key: string; prefix: string; sha256: string };
};

/** Signs an access token with the current signing key. */
export type AccessTokenSigner = (claims: AccessClaims, now: Date) => Promise<{ token: string; expiresIn: number }>;

/** A fresh key pair, its private half already sealed for storage. */
export type SigningKeyFactory = (input: { kid: string; now: Date }) => Promise<StoredSigningKey>;

/** Who asked, from where: what an audit entry records beside the actor. */
export type RequestMeta = { readonly traceId: string; readonly clientIp: string | null };
