import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@trellis/platform/testing/postgres';
import { makeFakes } from '../src/application/fakes.js';
import type { UnitOfWork } from '../src/application/ports.js';
import type { User } from '../src/domain/user.js';
import { migrations } from '../src/infrastructure/postgres/migrations.js';
import type { Database } from '../src/infrastructure/postgres/schema.js';
import { makeUnitOfWork } from '../src/infrastructure/postgres/unit-of-work.js';

let database: TestDatabase<Database>;
beforeAll(async () => {
  database = await createTestDatabase<Database>({ service: 'authorization', migrations });
});
afterAll(() => database?.close());

// Postgres keeps microseconds, JS milliseconds: whole seconds compare equal on both sides.
const at = (seconds: number) => new Date(Date.UTC(2026, 10, 1, 10, 0, seconds));
const aUser = (overrides: Partial<User> = {}): User => ({
  id: randomUUID(), username: `u-${randomUUID().slice(0, 8)}`, displayName: 'U', email: null, passwordHash: 'h', isAdmin: false, disabled: false, createdAt: at(0), ...overrides,
});

/** The port contract: both adapters must pass it, so application tests on fakes mean something. */
describe.each([
  ['the fakes', () => makeFakes().deps.uow],
  ['Postgres', () => makeUnitOfWork(database.db)],
] as Array<[string, () => UnitOfWork]>)('Transaction ports on %s', (_name, makeUow) => {
  const context = { traceId: 't' };

  it('keeps usernames and project names unique and lists working admins', async () => {
    const uow = makeUow();
    const admin = aUser({ isAdmin: true });
    const disabledAdmin = aUser({ isAdmin: true, disabled: true });
    await uow(context, async (tx) => {
      expect(await tx.users.insertIfUsernameFree(admin)).toBe(true);
      expect(await tx.users.insertIfUsernameFree({ ...aUser(), username: admin.username })).toBe(false);
      expect(await tx.users.insertIfUsernameFree(disabledAdmin)).toBe(true);
      expect(await tx.users.lockActiveAdmins()).toContain(admin.id);
      expect(await tx.users.lockActiveAdmins()).not.toContain(disabledAdmin.id);
      expect(await tx.users.exists()).toBe(true);
      const name = `p-${randomUUID().slice(0, 8)}`;
      expect(await tx.projects.insertIfNameFree({ id: randomUUID(), name, title: null, createdBy: admin.id, createdAt: at(0) })).toBe(true);
      expect(await tx.projects.insertIfNameFree({ id: randomUUID(), name, title: 'Again', createdBy: admin.id, createdAt: at(0) })).toBe(false);
    });
  });

  it('deletes a project with its memberships and keys, and forgets it in sessions', async () => {
    const uow = makeUow();
    const user = aUser();
    const projectId = randomUUID();
    const sessionId = randomUUID();
    await uow(context, async (tx) => {
      await tx.users.insertIfUsernameFree(user);
      await tx.projects.insertIfNameFree({ id: projectId, name: `p-${projectId.slice(0, 8)}`, title: null, createdBy: user.id, createdAt: at(0) });
      await tx.memberships.upsert({ projectId, userId: user.id, role: 'owner', createdAt: at(0) });
      await tx.apiKeys.insert({ id: randomUUID(), projectId, name: 'k', role: 'viewer', prefix: 'abcdefgh', secretSha256: randomUUID(), createdAt: at(0), createdBy: user.id, expiresAt: null, revokedAt: null });
      await tx.sessions.insert({ id: sessionId, userId: user.id, projectId, createdAt: at(0), lastUsedAt: at(0), revokedAt: null, revokedReason: null });
      expect(await tx.memberships.projectsOf(user.id)).toEqual([{ projectId, projectName: `p-${projectId.slice(0, 8)}`, role: 'owner' }]);
      await tx.projects.delete(projectId);
      expect(await tx.projects.findById(projectId)).toBeUndefined();
      expect(await tx.memberships.lockProject(projectId)).toEqual([]);
      expect((await tx.sessions.findForUpdate(sessionId))?.projectId).toBeNull();
    });
  });

  it('deletes a user with memberships, sessions and their refresh tokens', async () => {
    const uow = makeUow();
    const user = aUser();
    const sessionId = randomUUID();
    const sha256 = randomUUID();
    await uow(context, async (tx) => {
      await tx.users.insertIfUsernameFree(user);
      await tx.sessions.insert({ id: sessionId, userId: user.id, projectId: null, createdAt: at(0), lastUsedAt: at(0), revokedAt: null, revokedReason: null });
      await tx.refreshTokens.insert({ sha256, sessionId, issuedAt: at(0), expiresAt: at(60), usedAt: null });
      await tx.users.delete(user.id);
      expect(await tx.users.findById(user.id)).toBeUndefined();
      expect(await tx.sessions.findForUpdate(sessionId)).toBeUndefined();
      expect(await tx.refreshTokens.find(sha256)).toBeUndefined();
    });
  });

  it('uses up a family\'s tokens and revokes all sessions but one', async () => {
    const uow = makeUow();
    const user = aUser();
    const [s1, s2] = [randomUUID(), randomUUID()];
    await uow(context, async (tx) => {
      await tx.users.insertIfUsernameFree(user);
      for (const id of [s1, s2]) await tx.sessions.insert({ id, userId: user.id, projectId: null, createdAt: at(0), lastUsedAt: at(0), revokedAt: null, revokedReason: null });
      await tx.refreshTokens.insert({ sha256: `${s1}-a`, sessionId: s1, issuedAt: at(0), expiresAt: at(60), usedAt: null });
      await tx.refreshTokens.insert({ sha256: `${s2}-a`, sessionId: s2, issuedAt: at(0), expiresAt: at(60), usedAt: null });
      await tx.refreshTokens.useAllOf(s1, at(5));
      expect((await tx.refreshTokens.find(`${s1}-a`))?.usedAt).toEqual(at(5));
      expect((await tx.refreshTokens.find(`${s2}-a`))?.usedAt).toBeNull();
      await tx.sessions.revokeAllOf(user.id, { now: at(6), reason: 'password_changed', keep: s2 });
      expect(await tx.sessions.findForUpdate(s1)).toMatchObject({ revokedAt: at(6), revokedReason: 'password_changed' });
      expect(await tx.sessions.findForUpdate(s2)).toMatchObject({ revokedAt: null });
    });
  });

  it('counts throttle failures per key and forgets a key on reset', async () => {
    const uow = makeUow();
    const key = { kind: 'username' as const, value: randomUUID() };
    const other = { kind: 'address' as const, value: randomUUID() };
    await uow(context, async (tx) => {
      expect(await tx.loginThrottle.lock([key, other])).toEqual([]);
      await tx.loginThrottle.save({ key, failures: 3, lockedUntil: at(9), updatedAt: at(1) });
      expect(await tx.loginThrottle.lock([key, other])).toEqual([{ key, failures: 3, lockedUntil: at(9), updatedAt: at(1) }]);
      await tx.loginThrottle.reset(key);
      expect(await tx.loginThrottle.lock([key])).toEqual([]);
    });
  });

  it('retires and deletes signing keys', async () => {
    const uow = makeUow();
    const kid = randomUUID();
    await uow(context, async (tx) => {
      await tx.signingKeys.lock();
      await tx.signingKeys.insert({ kid, createdAt: at(0), retiredAt: null, algorithm: 'EdDSA', publicJwk: { kty: 'OKP', crv: 'Ed25519', x: 'x' }, sealedPrivateKey: 'v1.a.b.c' });
      await tx.signingKeys.retire([kid], at(3));
      expect((await tx.signingKeys.list()).find((k) => k.kid === kid)).toEqual({ kid, createdAt: at(0), retiredAt: at(3) });
      await tx.signingKeys.delete([kid]);
      expect((await tx.signingKeys.list()).find((k) => k.kid === kid)).toBeUndefined();
    });
  });

  it('rolls everything back when the work throws', async () => {
    const uow = makeUow();
    const user = aUser();
    await expect(uow(context, async (tx) => {
      await tx.users.insertIfUsernameFree(user);
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(await uow(context, (tx) => tx.users.findById(user.id))).toBeUndefined();
  });
});
