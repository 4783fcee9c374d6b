import { randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeObjectStore } from '@trellis/platform/object-store';
import { SERVICES, eventually, query, startService, type ServiceName } from './harness.js';
import { ADMIN_PASSWORD, startPlatform, type Platform } from './platform.js';
import { ROLES, type Role } from '@trellis/kernel/roles';
import { MATRIX, type Expectation } from './access-matrix.js';

const RANK = Object.fromEntries(ROLES.map((role, rank) => [role, rank])) as Record<Role, number>;

type Answer = { status: number; body: Record<string, unknown> };
type Credential = { name: string; bearer?: string };

let platform: Platform;
const base = (name: ServiceName) => platform.running[name].url;
const authorization = (path: string) => `${base('authorization')}/authorization${path}`;
const secretsSeen = new Set<string>([ADMIN_PASSWORD]);

async function api(method: string, url: string, bearer?: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = bearer ? { authorization: `Bearer ${bearer}` } : {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = { text };
  }
  return { status: response.status, body: parsed };
}

async function ok(method: string, url: string, bearer: string | undefined, body: unknown, expected = [200, 201, 204]): Promise<Record<string, unknown>> {
  const answer = await api(method, url, bearer, body);
  if (!expected.includes(answer.status)) throw new Error(`${method} ${url} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

async function login(username: string, password: string, projectId?: string): Promise<{ access: string; refresh: string }> {
  const pair = await ok('POST', authorization('/login'), undefined, { username, password, ...(projectId ? { project_id: projectId } : {}) });
  const access = String(pair['access_token']);
  const refresh = String(pair['refresh_token']);
  secretsSeen.add(access).add(refresh);
  return { access, refresh };
}

const state = {
  projectA: '', projectB: '', projectC: '',
  adminA: '', roleTokens: {} as Record<Role, string>, otherProject: '', ownerKeyA: '',
  expired: '', foreignKey: '', tampered: '', userPasswords: {} as Record<string, string>,
};

async function createProject(admin: string, name: string): Promise<string> {
  return String((await ok('POST', authorization('/projects'), admin, { name }))['id']);
}

async function createUser(admin: string, username: string): Promise<string> {
  const password = `pw-${randomUUID()}`;
  state.userPasswords[username] = password;
  secretsSeen.add(password);
  await ok('POST', authorization('/users'), admin, { username, password });
  return password;
}

beforeAll(async () => {
  platform = await startPlatform({ overrides: () => ({ TRELLIS_API_KEY_CACHE_MS: '1000' }) });
  const admin = (await login('admin', ADMIN_PASSWORD)).access;
  state.projectA = await createProject(admin, 'access-a');
  state.projectB = await createProject(admin, 'access-b');
  state.projectC = await createProject(admin, 'access-c');
  state.adminA = (await login('admin', ADMIN_PASSWORD, state.projectA)).access;
  for (const role of ROLES) {
    const password = await createUser(admin, `ada-${role}`);
    await ok('POST', authorization(`/projects/${state.projectA}/members`), admin, { username: `ada-${role}`, role });
    state.roleTokens[role] = (await login(`ada-${role}`, password, state.projectA)).access;
  }
  const outsider = await createUser(admin, 'outsider');
  await ok('POST', authorization(`/projects/${state.projectB}/members`), admin, { username: 'outsider', role: 'owner' });
  state.otherProject = (await login('outsider', outsider, state.projectB)).access;

  const created = await ok('POST', authorization(`/projects/${state.projectA}/api-keys`), state.adminA, { name: 'matrix', role: 'owner' });
  state.ownerKeyA = String(created['key']);
  secretsSeen.add(state.ownerKeyA);

  // An expired token with a valid signature: a second authorization replica (same database and
  // keys) issuing one-second tokens.
  const replica = await startService('authorization', platform.envFor('authorization', { TRELLIS_ACCESS_TOKEN_TTL_SECONDS: '1' }));
  try {
    const response = await fetch(`${replica.url}/authorization/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ada-owner', password: state.userPasswords['ada-owner'], project_id: state.projectA }),
    });
    state.expired = String(((await response.json()) as Record<string, unknown>)['access_token']);
    secretsSeen.add(state.expired);
  } finally {
    await replica.stop();
  }
  // Past its expiry and the verifiers' clock-skew tolerance (5 s), for every service.
  await eventually(() => api('GET', `${base('studio')}/studio/project`, state.expired), (answer) => answer.status === 401, 20_000);

  // The owner's token with its claims re-signed by a key nobody published, under the real key id.
  const owner = state.roleTokens.owner;
  const stranger = await generateKeyPair('EdDSA');
  state.foreignKey = await new SignJWT(decodeJwt(owner)).setProtectedHeader(decodeProtectedHeader(owner) as { alg: string }).sign(stranger.privateKey);
  // The viewer's token claiming admin and owner, signature untouched.
  const [header, payload, signature] = state.roleTokens.viewer.split('.');
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
  state.tampered = [header, Buffer.from(JSON.stringify({ ...claims, role: 'owner', adm: true })).toString('base64url'), signature].join('.');

  // Every service must have heard of project A (and the key) before the matrix means anything.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  for (const { name, prefix } of SERVICES.filter((s) => s.name !== 'authorization')) {
    await eventually(() => api('GET', `${base(name)}${prefix}/project`, state.ownerKeyA), (answer) => answer.status === 200);
  }
}, 180_000);

afterAll(async () => {
  await platform?.stop();
});

type Operation = { service: ServiceName; method: string; path: string; operationId: string };

async function operations(): Promise<Operation[]> {
  const list: Operation[] = [];
  for (const { name, prefix } of SERVICES) {
    const doc = (await api('GET', `${base(name)}${prefix}/openapi.json`)).body as { paths: Record<string, Record<string, { operationId: string }>> };
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) list.push({ service: name, method: method.toUpperCase(), path, operationId: operation.operationId });
    }
  }
  return list;
}

/** Query strings a route needs to do its work (an upload names its file). */
const QUERIES: Record<string, string> = { studioUploadFile: '?name=matrix.json' };

/** Admin-only operations act on throwaway project C; the rest on project A. Other ids are unknown ones (a version number is 1). */
function urlOf(operation: Operation, expectation: Expectation): string {
  const project = expectation === 'admin' ? state.projectC : state.projectA;
  const path = operation.path.replace('{projectId}', project).replace('{n}', '1').replace(/\{[A-Za-z]+\}/g, () => randomUUID());
  return `${base(operation.service)}${path}${QUERIES[operation.operationId] ?? ''}`;
}

function allowed(expectation: Expectation, who: 'admin' | 'api-key-owner' | 'other-project' | Role): boolean {
  switch (expectation) {
    case 'public':
      return true;
    case 'user':
      return who !== 'api-key-owner';
    case 'admin':
      return who === 'admin';
    case 'member:viewer':
    case 'member:owner':
      return who === 'admin' || (who !== 'other-project' && RANK[who === 'api-key-owner' ? 'owner' : who] >= RANK[expectation.slice(7) as Role]);
    default:
      return who !== 'other-project' && RANK[who === 'admin' || who === 'api-key-owner' ? 'owner' : who] >= RANK[expectation];
  }
}

const refusedStatuses = [401, 403];

describe('access to every route of every service', () => {
  it('lists every operation in the matrix', async () => {
    const missing = (await operations()).filter((operation) => !(operation.operationId in MATRIX)).map((o) => `${o.service} ${o.method} ${o.path} (${o.operationId})`);
    expect(missing).toEqual([]);
  });

  it('answers 401 without a valid credential, on every route that is not public', async () => {
    const bad: Credential[] = [
      { name: 'no credentials' },
      { name: 'an expired token', bearer: state.expired },
      { name: 'a token signed by another key', bearer: state.foreignKey },
      { name: 'a tampered token', bearer: state.tampered },
      { name: 'a malformed API key', bearer: 'trk_nothere_' },
    ];
    const wrong: string[] = [];
    for (const operation of await operations()) {
      const expectation = MATRIX[operation.operationId];
      if (!expectation || expectation === 'public') continue;
      for (const credential of bad) {
        const answer = await api(operation.method, urlOf(operation, expectation), credential.bearer, ['POST', 'PATCH', 'PUT'].includes(operation.method) ? {} : undefined);
        if (answer.status !== 401) wrong.push(`${operation.operationId} with ${credential.name}: ${answer.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers 404 to a token of another project for every route naming a project', async () => {
    const wrong: string[] = [];
    for (const operation of await operations()) {
      const expectation = MATRIX[operation.operationId];
      if (!expectation || expectation === 'public' || expectation === 'user' || expectation === 'admin' || !operation.path.includes('{projectId}')) continue;
      const answer = await api(operation.method, urlOf(operation, expectation), state.otherProject, ['POST', 'PATCH'].includes(operation.method) ? {} : undefined);
      if (answer.status !== 404) wrong.push(`${operation.operationId}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 120)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('never shows a token of another project what belongs to this one', async () => {
    for (const { name, prefix } of SERVICES.filter((s) => s.name !== 'authorization')) {
      const answer = await api('GET', `${base(name)}${prefix}/project`, state.otherProject);
      expect(JSON.stringify(answer.body)).not.toContain(state.projectA);
    }
  });

  it('applies the role matrix to each role, the admin and an owner API key', async () => {
    const callers: Array<{ who: 'admin' | 'api-key-owner' | Role; bearer: () => Promise<string> }> = [
      ...ROLES.map((role) => ({ who: role, bearer: async () => state.roleTokens[role] })),
      { who: 'admin' as const, bearer: async () => state.adminA },
      { who: 'api-key-owner' as const, bearer: async () => state.ownerKeyA },
    ];
    const wrong: string[] = [];
    for (const operation of await operations()) {
      const expectation = MATRIX[operation.operationId];
      if (!expectation) continue;
      for (const caller of callers) {
        // Logging out ends the session the token belongs to: give it a session of its own.
        const bearer = operation.operationId === 'authorizationLogout' && caller.who !== 'api-key-owner'
          ? caller.who === 'admin' ? (await login('admin', ADMIN_PASSWORD, state.projectA)).access : (await login(`ada-${caller.who}`, state.userPasswords[`ada-${caller.who}`] ?? '', state.projectA)).access
          : await caller.bearer();
        const answer = await api(operation.method, urlOf(operation, expectation), bearer, ['POST', 'PATCH', 'PUT'].includes(operation.method) ? {} : undefined);
        const shouldPass = allowed(expectation, caller.who);
        if (answer.status >= 500) wrong.push(`${operation.operationId} as ${caller.who}: ${answer.status}`);
        else if (shouldPass && refusedStatuses.includes(answer.status)) wrong.push(`${operation.operationId} as ${caller.who}: refused (${answer.status} ${String(answer.body['code'])})`);
        else if (!shouldPass && answer.status !== 403) wrong.push(`${operation.operationId} as ${caller.who}: ${answer.status}, expected 403`);
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);
});

describe('API keys across services', () => {
  it('are refused by every service within 60 seconds of their revocation', async () => {
    const created = await ok('POST', authorization(`/projects/${state.projectA}/api-keys`), state.adminA, { name: 'short-lived', role: 'viewer' });
    const key = String(created['key']);
    secretsSeen.add(key);
    const probes = SERVICES.filter((s) => s.name !== 'authorization').map(({ name, prefix }) => `${base(name)}${prefix}/project`);
    probes.push(authorization(`/projects/${state.projectA}/members`));
    for (const url of probes) await eventually(() => api('GET', url, key), (answer) => answer.status === 200);

    await ok('DELETE', authorization(`/projects/${state.projectA}/api-keys/${String(created['id'])}`), state.adminA, undefined);
    const revokedAt = Date.now();
    for (const url of probes) await eventually(() => api('GET', url, key), (answer) => answer.status === 401, 60_000);
    const seconds = (Date.now() - revokedAt) / 1000;
    console.log(`revoked API key refused by every service after ${seconds.toFixed(2)} s (cache 1 s)`);
    expect(seconds).toBeLessThan(60);
  }, 90_000);
});

describe('deleting a project', () => {
  it('removes its rows and objects in studio, repository, action-builder and runner', async () => {
    const admin = (await login('admin', ADMIN_PASSWORD)).access;
    const doomed = await createProject(admin, 'access-doomed');
    const adminDoomed = (await login('admin', ADMIN_PASSWORD, doomed)).access;
    const key = String((await ok('POST', authorization(`/projects/${doomed}/api-keys`), adminDoomed, { name: 'doomed', role: 'viewer' }))['key']);
    secretsSeen.add(key);
    const consumers = ['studio', 'repository', 'action-builder', 'runner'] as const;
    for (const name of consumers) {
      await eventually(() => query(platform.databaseUrls[name], `select 1 from api_keys where project_id = '${doomed}'`), (rows) => rows.length === 1);
    }
    const store = makeObjectStore(platform.store.config);
    const objects = ['studio', 'repository', 'action-builder', 'runner'].map((service) => `${service}/projects/${doomed}/some/file.txt`);
    const survivor = `runner/projects/${state.projectA}/survives.txt`;
    for (const name of [...objects, survivor]) await store.client.putObject(store.bucket, name, Buffer.from('data'));

    await ok('DELETE', authorization(`/projects/${doomed}`), admin, undefined);
    for (const name of consumers) {
      await eventually(() => query(platform.databaseUrls[name], `select 1 from projects where id = '${doomed}' union all select 1 from api_keys where project_id = '${doomed}'`), (rows) => rows.length === 0);
    }
    const remaining = async () => {
      const names: string[] = [];
      for await (const item of store.client.listObjectsV2(store.bucket, '', true) as AsyncIterable<{ name: string }>) names.push(item.name);
      return names;
    };
    const left = await eventually(remaining, (names) => objects.every((name) => !names.includes(name)));
    expect(left).toContain(survivor);
    expect(await query(platform.databaseUrls.authorization, `select 1 from projects where id = '${doomed}'`)).toEqual([]);
  }, 60_000);
});

describe('logs', () => {
  it('never hold a password, token or key value, in any service', () => {
    const leaks: string[] = [];
    for (const { name } of SERVICES) {
      const output = platform.running[name].output();
      for (const secret of secretsSeen) if (secret && output.includes(secret)) leaks.push(`${name}: ${secret.slice(0, 12)}…`);
    }
    expect(secretsSeen.size).toBeGreaterThan(10);
    expect(leaks).toEqual([]);
  });
});
