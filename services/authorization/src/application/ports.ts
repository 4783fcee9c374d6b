import type { AuthorizationEvent } from '../domain/events.js';
import type { Membership } from '../domain/membership.js';
import type { Project } from '../domain/project.js';
import type { User } from '../domain/user.js';

export type ProjectRepository = {
  findByName: (name: string) => Promise<Project | undefined>;
  /** False when a project of that name already exists (another replica may have won the race). */
  insertIfNameFree: (project: Project) => Promise<boolean>;
};

export type UserRepository = {
  findByUsername: (username: string) => Promise<User | undefined>;
  /** False when the username is taken. */
  insertIfUsernameFree: (user: User) => Promise<boolean>;
};

export type MembershipRepository = {
  upsert: (membership: Membership) => Promise<void>;
};

/** Events recorded here are published if and only if the unit of work commits. */
export type EventOutbox = {
  append: (events: readonly AuthorizationEvent[]) => Promise<void>;
};

export type Transaction = {
  projects: ProjectRepository;
  users: UserRepository;
  memberships: MembershipRepository;
  outbox: EventOutbox;
};

export type UnitOfWork = <T>(context: { traceId: string }, work: (tx: Transaction) => Promise<T>) => Promise<T>;

export type Clock = () => Date;
export type Ids = () => string;

export type PasswordHasher = {
  hash: (password: string) => Promise<string>;
  verify: (password: string, hash: string) => Promise<boolean>;
};
