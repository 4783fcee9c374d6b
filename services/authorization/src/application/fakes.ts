import { isRejection } from '@trellis/kernel/result';
import type { Actor } from '../domain/actor.js';
import type { ApiKey } from '../domain/api-key.js';
import type { AuditEntry } from '../domain/audit.js';
import type { AuthorizationEvent } from '../domain/events.js';
import type { ThrottleCounter, ThrottleKey } from '../domain/login-throttle.js';
import type { Membership } from '../domain/membership.js';
import type { Project } from '../domain/project.js';
import type { Role } from '../domain/role.js';
import type { AccessClaims, RefreshToken, Session } from '../domain/session.js';
import type { User } from '../domain/user.js';
import type { StoredSigningKey, Transaction, UnitOfWork } from './ports.js';
import type { Settings } from './settings.js';
import { makeUseCases, type Dependencies } from './use-cases.js';

export type FakeState = {
  projects: Project[];
  users: User[];
  memberships: Membership[];
  apiKeys: ApiKey[];
  sessions: Session[];
  refreshTokens: RefreshToken[];
  signingKeys: StoredSigningKey[];
  throttle: ThrottleCounter[];
  audit: AuditEntry[];
  published: AuthorizationEvent[];
};

export const emptyState = (): FakeState => ({
  projects: [], users: [], memberships: [], apiKeys: [], sessions: [], refreshTokens: [], signingKeys: [], throttle: [], audit: [], published: [],
});

export const fakeSettings: Settings = {
  accessTokenTtlSeconds: 900,
  refreshTokenTtlSeconds: 30 * 86_400,
  signingKeyRotationSeconds: 7 * 86_400,
  signingKeyMarginSeconds: 300,
  usernameThrottle: { threshold: 10, baseDelayMs: 1000, maxDelayMs: 900_000, forgetAfterMs: 86_400_000 },
  addressThrottle: { threshold: 100, baseDelayMs: 1000, maxDelayMs: 900_000, forgetAfterMs: 86_400_000 },
};

/** What the fake signer puts in an access token, readable by tests. */
export function readFakeToken(token: string): AccessClaims & { iat: number } {
  return JSON.parse(token.slice('access.'.length)) as AccessClaims & { iat: number };
}

const sameKey = (a: ThrottleKey, b: ThrottleKey) => a.kind === b.kind && a.value === b.value;

/**
 * In-memory ports for application tests, with the semantics of the Postgres adapters that
 * matter to the rules (cascades, uniqueness). A unit of work that throws leaves the state as it was.
 */
export function makeFakes(options: { now?: Date; settings?: Partial<Settings> } = {}) {
  let state = emptyState();
  let now = options.now ?? new Date('2026-11-01T10:00:00Z');
  let counter = 0;
  let secretCounter = 0;

  const uow: UnitOfWork = async (_context, work, options = {}) => {
    const draft: FakeState = structuredClone(state);
    const replace = <T>(list: T[], match: (item: T) => boolean, item: T) => list.map((x) => (match(x) ? item : x));
    const tx: Transaction = {
      projects: {
        findById: async (id) => draft.projects.find((p) => p.id === id),
        findByName: async (name) => draft.projects.find((p) => p.name === name),
        insertIfNameFree: async (project) => {
          if (draft.projects.some((p) => p.name === project.name)) return false;
          draft.projects.push(project);
          return true;
        },
        update: async (project) => void (draft.projects = replace(draft.projects, (p) => p.id === project.id, project)),
        delete: async (id) => {
          draft.projects = draft.projects.filter((p) => p.id !== id);
          draft.memberships = draft.memberships.filter((m) => m.projectId !== id);
          draft.apiKeys = draft.apiKeys.filter((k) => k.projectId !== id);
          draft.sessions = draft.sessions.map((s) => (s.projectId === id ? { ...s, projectId: null } : s));
        },
      },
      users: {
        findById: async (id) => draft.users.find((u) => u.id === id),
        findByUsername: async (username) => draft.users.find((u) => u.username === username),
        insertIfUsernameFree: async (user) => {
          if (draft.users.some((u) => u.username === user.username)) return false;
          draft.users.push(user);
          return true;
        },
        update: async (user) => void (draft.users = replace(draft.users, (u) => u.id === user.id, user)),
        delete: async (id) => {
          const sessions = new Set(draft.sessions.filter((s) => s.userId === id).map((s) => s.id));
          draft.users = draft.users.filter((u) => u.id !== id);
          draft.memberships = draft.memberships.filter((m) => m.userId !== id);
          draft.sessions = draft.sessions.filter((s) => !sessions.has(s.id));
          draft.refreshTokens = draft.refreshTokens.filter((t) => !sessions.has(t.sessionId));
        },
        lockActiveAdmins: async () => draft.users.filter((u) => u.isAdmin && !u.disabled).map((u) => u.id),
        exists: async () => draft.users.length > 0,
      },
      memberships: {
        find: async (projectId, userId) => draft.memberships.find((m) => m.projectId === projectId && m.userId === userId),
        lockProject: async (projectId) => draft.memberships.filter((m) => m.projectId === projectId),
        projectsOf: async (userId) =>
          draft.memberships.filter((m) => m.userId === userId).map((m) => ({
            projectId: m.projectId, role: m.role, projectName: draft.projects.find((p) => p.id === m.projectId)?.name ?? '',
          })),
        upsert: async (membership) => {
          draft.memberships = draft.memberships.filter((m) => !(m.projectId === membership.projectId && m.userId === membership.userId));
          draft.memberships.push(membership);
        },
        delete: async (projectId, userId) => {
          draft.memberships = draft.memberships.filter((m) => !(m.projectId === projectId && m.userId === userId));
        },
      },
      apiKeys: {
        insert: async (apiKey) => {
          if (draft.apiKeys.some((k) => k.id === apiKey.id || k.secretSha256 === apiKey.secretSha256)) throw new Error('duplicate API key');
          draft.apiKeys.push(apiKey);
        },
        find: async (projectId, keyId) => draft.apiKeys.find((k) => k.projectId === projectId && k.id === keyId),
        update: async (apiKey) => void (draft.apiKeys = replace(draft.apiKeys, (k) => k.id === apiKey.id, apiKey)),
      },
      sessions: {
        insert: async (session) => void draft.sessions.push(session),
        findForUpdate: async (id) => draft.sessions.find((s) => s.id === id),
        update: async (session) => void (draft.sessions = replace(draft.sessions, (s) => s.id === session.id, session)),
        revokeAllOf: async (userId, { now: at, reason, keep }) => {
          draft.sessions = draft.sessions.map((s) =>
            s.userId === userId && s.id !== keep && !s.revokedAt ? { ...s, revokedAt: at, revokedReason: reason } : s);
        },
      },
      refreshTokens: {
        insert: async (token) => void draft.refreshTokens.push(token),
        find: async (sha256) => draft.refreshTokens.find((t) => t.sha256 === sha256),
        useAllOf: async (sessionId, at) => {
          draft.refreshTokens = draft.refreshTokens.map((t) => (t.sessionId === sessionId && !t.usedAt ? { ...t, usedAt: at } : t));
        },
      },
      signingKeys: {
        lock: async () => undefined,
        list: async () => draft.signingKeys.map(({ kid, createdAt, retiredAt }) => ({ kid, createdAt, retiredAt })),
        insert: async (key) => void draft.signingKeys.push(key),
        retire: async (kids, at) => {
          draft.signingKeys = draft.signingKeys.map((k) => (kids.includes(k.kid) && !k.retiredAt ? { ...k, retiredAt: at } : k));
        },
        delete: async (kids) => void (draft.signingKeys = draft.signingKeys.filter((k) => !kids.includes(k.kid))),
      },
      loginThrottle: {
        lock: async (keys) => draft.throttle.filter((c) => keys.some((key) => sameKey(key, c.key))),
        save: async (saved) => {
          draft.throttle = [...draft.throttle.filter((c) => !sameKey(c.key, saved.key)), saved];
        },
        reset: async (key) => void (draft.throttle = draft.throttle.filter((c) => !sameKey(c.key, key))),
      },
      audit: { record: async (entry) => void draft.audit.push(entry) },
      outbox: { append: async (events) => void draft.published.push(...events) },
    };
    const result = await work(tx);
    if (!isRejection(result) || options.keepOnRejection === true) state = draft;
    return result;
  };

  const settings: Settings = { ...fakeSettings, ...options.settings };
  const deps: Dependencies = {
    uow,
    clock: () => now,
    ids: () => `id-${++counter}`,
    hasher: {
      hash: async (password) => `hashed:${password}`,
      verify: async (password, hash) => hash === `hashed:${password}`,
      spend: async () => undefined,
    },
    secrets: {
      refreshToken: () => {
        const token = `refresh-${++secretCounter}`;
        return { token, sha256: `sha:${token}` };
      },
      hashRefreshToken: (token) => `sha:${token}`,
      apiKey: () => {
        const prefix = `pfx${String(++secretCounter).padStart(5, '0')}`;
        const key = `trk_${prefix}_secret`;
        return { key, prefix, sha256: `sha:${key}` };
      },
    },
    signer: async (claims, at) => ({
      token: `access.${JSON.stringify({ ...claims, iat: Math.floor(at.getTime() / 1000) })}`,
      expiresIn: settings.accessTokenTtlSeconds,
    }),
    keyFactory: async ({ kid, now: at }) => ({
      kid, createdAt: at, retiredAt: null, algorithm: 'EdDSA', publicJwk: { kty: 'OKP', crv: 'Ed25519', x: kid }, sealedPrivateKey: `sealed:${kid}`,
    }),
    settings,
  };
  return {
    deps,
    state: () => state,
    /** Replaces the state, e.g. to start a test from a given situation. */
    seed: (change: (draft: FakeState) => void) => {
      const draft = structuredClone(state);
      change(draft);
      state = draft;
    },
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
    now: () => now,
  };
}

export const meta = { traceId: 'trace-1', clientIp: '203.0.113.7' };

/** The actor of an access token: a user, their current project and role there. */
export function userActor(user: { id: string; isAdmin?: boolean }, project?: { id: string; role: Role }): Actor & { userId: string } {
  return { userId: user.id, apiKeyId: null, isAdmin: user.isAdmin ?? false, projectId: project?.id ?? null, role: project?.role ?? null };
}

export function apiKeyActor(keyId: string, project: { id: string; role: Role }): Actor {
  return { userId: null, apiKeyId: keyId, isAdmin: false, projectId: project.id, role: project.role };
}

/**
 * A bootstrapped instance (admin owning `default`) with helpers that build the rest through
 * the use cases themselves, so tests start from states the rules could have produced.
 */
export async function makeInstance(options: Parameters<typeof makeFakes>[0] = {}) {
  const fakes = makeFakes(options);
  const useCases = makeUseCases(fakes.deps);
  const booted = await useCases.bootstrapInstance({ adminPassword: 'admin password 123', traceId: 'boot' });
  if (!booted.ok) throw new Error('bootstrap failed');
  const admin = fakes.state().users[0];
  const defaultProject = fakes.state().projects[0];
  if (!admin || !defaultProject) throw new Error('bootstrap made nothing');
  const adminActor = userActor(admin, { id: defaultProject.id, role: 'owner' });
  return {
    ...fakes,
    useCases,
    admin: { ...admin, actor: adminActor },
    defaultProject,
    addUser: async (username: string, extra: { isAdmin?: boolean } = {}) => {
      const created = await useCases.createUser({ actor: adminActor, username, password: `${username} password!`, isAdmin: extra.isAdmin, meta });
      if (!created.ok) throw new Error(`createUser: ${created.error.type}`);
      return created.value;
    },
    addProject: async (name: string) => {
      const created = await useCases.createProject({ actor: adminActor, name, meta });
      if (!created.ok) throw new Error(`createProject: ${created.error.type}`);
      return created.value;
    },
    join: async (projectId: string, userId: string, role: Role) => {
      const added = await useCases.addMember({ actor: { ...adminActor, projectId: null }, projectId, user: { id: userId }, role, meta });
      if (!added.ok) throw new Error(`addMember: ${added.error.type}`);
    },
  };
}
