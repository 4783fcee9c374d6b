import { randomUUID } from 'node:crypto';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, AUTHENTICATED, PUBLIC, ROLES, projectRole, type Role } from '@trellis/platform/auth/access';
import { generateApiKey, makeApiKeyVerifier, type ApiKeyRecord } from '@trellis/platform/auth/api-keys';
import { makeAuthenticator } from '@trellis/platform/auth/authenticate';
import { TOKEN_AUDIENCE, TOKEN_ISSUER, makeTokenVerifier } from '@trellis/platform/auth/tokens';
import { makeHttpApp, startHttpServer, type HttpServer } from '@trellis/platform/http/app';
import { callerOf, defineRoute } from '@trellis/platform/http/route';
import { makeLogger } from '@trellis/platform/logger';
import { makeMetrics } from '@trellis/platform/metrics';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
let published: KeyPair;
let stranger: KeyPair;
let jwks: { keys: JWK[] };
let server: HttpServer;
let base: string;
let clock = Date.now();
const keys = new Map<string, ApiKeyRecord>();
const PROJECT = randomUUID();

async function token(options: { key?: KeyPair; kid?: string; pid?: string | null; role?: Role; adm?: boolean; expiresIn?: number; issuer?: string } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { name: 'ada', adm: options.adm ?? false, sid: 'family-1' };
  if (options.pid !== null) {
    claims['pid'] = options.pid ?? PROJECT;
    claims['role'] = options.role ?? 'viewer';
  }
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', kid: options.kid ?? 'k1' })
    .setSubject('user-1').setJti(randomUUID()).setIssuer(options.issuer ?? TOKEN_ISSUER).setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(now - 60).setExpirationTime(now + (options.expiresIn ?? 900))
    .sign((options.key ?? published).privateKey);
}

const echo = async ({ context }: { context: Parameters<typeof callerOf>[0] }) => ({ status: 200, body: callerOf(context) });
const routes = [
  defineRoute({ method: 'get', path: '/open', operationId: 'open', summary: 'Open', access: PUBLIC, responses: { 200: { description: 'ok' } }, handler: async () => ({ status: 200, body: { ok: true } }) }),
  defineRoute({ method: 'get', path: '/me', operationId: 'me', summary: 'Me', access: AUTHENTICATED, responses: { 200: { description: 'ok' } }, handler: echo }),
  defineRoute({ method: 'get', path: '/admin', operationId: 'admin', summary: 'Admin', access: ADMIN, responses: { 200: { description: 'ok' } }, handler: echo }),
  defineRoute({ method: 'get', path: '/projects/:projectId/people', operationId: 'projectPeople', summary: 'People of a project', access: projectRole('owner', { admins: true }), responses: { 200: { description: 'ok' } }, handler: echo }),
  defineRoute({ method: 'get', path: '/projects/:projectId/things', operationId: 'projectThings', summary: 'Things of a project', access: projectRole('owner'), responses: { 200: { description: 'ok' } }, handler: echo }),
  ...ROLES.map((role) =>
    defineRoute({ method: 'post', path: `/needs-${role}`, operationId: `needs-${role}`, summary: role, access: projectRole(role), responses: { 200: { description: 'ok' } }, handler: echo })),
];

beforeAll(async () => {
  published = await generateKeyPair('EdDSA', { extractable: true });
  stranger = await generateKeyPair('EdDSA', { extractable: true });
  jwks = { keys: [{ ...(await exportJWK(published.publicKey)), kid: 'k1', alg: 'EdDSA', use: 'sig' }] };
  const authenticate = makeAuthenticator({
    verifyToken: makeTokenVerifier({ keys: createLocalJWKSet(jwks) }),
    verifyApiKey: makeApiKeyVerifier({ lookup: async (sha) => keys.get(sha), cacheMs: 1000, now: () => clock }),
  });
  const app = makeHttpApp({
    service: 'demo', version: '1', basePath: '/demo', routes, readiness: [], bodyLimit: '1kb', authenticate,
    logger: makeLogger({ service: 'demo', silent: true }), metrics: makeMetrics('demo'),
  });
  server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${server.port}/demo`;
});
afterAll(() => server?.close());

async function call(path: string, credential?: string, method = 'GET') {
  const response = await fetch(`${base}${path}`, { method, headers: credential ? { authorization: `Bearer ${credential}` } : {} });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
  return { status: response.status, body: (await response.json()) as any, challenge: response.headers.get('www-authenticate') };
}

describe('authentication at the edge', () => {
  it('lets anyone reach a public route', async () => {
    expect((await call('/open')).status).toBe(200);
  });

  it.each([
    ['no credentials', async () => undefined, 'unauthenticated'],
    ['an expired token', () => token({ expiresIn: -120 }), 'token_expired'],
    ['a token signed by another key', () => token({ key: stranger }), 'unauthenticated'],
    ['a token naming an unknown key', () => token({ kid: 'k9' }), 'unauthenticated'],
    ['a token from another issuer', () => token({ issuer: 'someone-else' }), 'unauthenticated'],
    ['a tampered token', async () => {
      const [header, payload, signature] = (await token({ role: 'viewer' })).split('.');
      const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
      return [header, Buffer.from(JSON.stringify({ ...claims, role: 'owner', adm: true })).toString('base64url'), signature].join('.');
    }, 'unauthenticated'],
    ['garbage', async () => 'not-a-token', 'unauthenticated'],
    ['an unknown API key', async () => generateApiKey().key, 'unauthenticated'],
  ])('refuses %s with 401 and a Bearer challenge', async (_case, make, code) => {
    const answer = await call('/me', await make());
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe(code);
    expect(answer.challenge).toMatch(/^Bearer realm="trellis"/);
  });

  it('refuses before validating or running anything', async () => {
    expect((await call('/needs-viewer', undefined, 'POST')).status).toBe(401);
  });

  it('puts the caller on the request', async () => {
    const answer = await call('/me', await token({ role: 'developer' }));
    expect(answer.body).toMatchObject({ via: 'token', userId: 'user-1', username: 'ada', projectId: PROJECT, role: 'developer', isAdmin: false, sessionId: 'family-1' });
  });

  it.each([
    ['viewer', [200, 403, 403, 403]],
    ['operator', [200, 200, 403, 403]],
    ['developer', [200, 200, 200, 403]],
    ['owner', [200, 200, 200, 200]],
  ] as const)('applies the role matrix to a %s', async (role, expected) => {
    const credential = await token({ role });
    const statuses = [];
    for (const needed of ROLES) statuses.push((await call(`/needs-${needed}`, credential, 'POST')).status);
    expect(statuses).toEqual(expected);
  });

  it('answers 404 for another project named in the path, whatever the role, and checks the role for its own', async () => {
    const other = randomUUID();
    expect((await call(`/projects/${other}/things`, await token({ role: 'viewer' }))).body.code).toBe('project_not_found');
    expect((await call(`/projects/${other}/things`, await token({ role: 'owner' }))).status).toBe(404);
    expect((await call(`/projects/${PROJECT}/things`, await token({ role: 'viewer' }))).status).toBe(403);
    expect((await call(`/projects/${PROJECT}/things`, await token({ role: 'owner' }))).status).toBe(200);
  });

  it('refuses project routes to a token without a project, and admin routes to non-admins', async () => {
    expect((await call('/needs-viewer', await token({ pid: null }), 'POST')).body.code).toBe('no_project');
    expect((await call('/me', await token({ pid: null }))).status).toBe(200);
    expect((await call('/admin', await token({ role: 'owner' }))).status).toBe(403);
    expect((await call('/admin', await token({ adm: true }))).status).toBe(200);
  });

  it('accepts a project API key with its role, and refuses it once revoked after the cache expires', async () => {
    const { key, sha256 } = generateApiKey();
    const record: ApiKeyRecord = { keyId: randomUUID(), projectId: PROJECT, role: 'operator', expiresAt: null, revokedAt: null };
    keys.set(sha256, record);
    expect((await call('/needs-operator', key, 'POST')).body).toMatchObject({ via: 'api_key', projectId: PROJECT, role: 'operator', userId: null });
    expect((await call('/needs-developer', key, 'POST')).status).toBe(403);
    expect((await call('/admin', key)).status).toBe(403);

    keys.set(sha256, { ...record, revokedAt: new Date() });
    expect((await call('/needs-operator', key, 'POST')).status).toBe(200); // still cached
    clock += 1001;
    expect((await call('/needs-operator', key, 'POST')).status).toBe(401);
  });

  it('refuses API keys on routes for a person, and lets admins through project routes that admit them', async () => {
    const { key, sha256 } = generateApiKey();
    keys.set(sha256, { keyId: randomUUID(), projectId: PROJECT, role: 'owner', expiresAt: null, revokedAt: null });
    expect((await call('/me', key)).body.code).toBe('user_token_required');
    const elsewhere = randomUUID();
    expect((await call(`/projects/${elsewhere}/people`, await token({ adm: true, role: 'viewer' }))).status).toBe(200);
    expect((await call(`/projects/${elsewhere}/people`, await token({ role: 'owner' }))).status).toBe(404);
    expect((await call(`/projects/${elsewhere}/things`, await token({ adm: true, role: 'owner' }))).status).toBe(404);
  });

  it('refuses an expired API key', async () => {
    const { key, sha256 } = generateApiKey();
    keys.set(sha256, { keyId: randomUUID(), projectId: PROJECT, role: 'owner', expiresAt: new Date(clock - 1), revokedAt: null });
    expect((await call('/needs-viewer', key, 'POST')).status).toBe(401);
  });

  it('declares each route\'s access in OpenAPI', async () => {
    const doc = (await call('/openapi.json')).body;
    expect(doc.paths['/demo/needs-developer'].post['x-trellis-access']).toEqual({ kind: 'project', role: 'developer' });
    expect(doc.paths['/demo/open'].get.security).toEqual([]);
  });
});
