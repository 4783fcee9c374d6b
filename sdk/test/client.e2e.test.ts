// @trellis/sdk against the real services behind the gateway, with 3-second access tokens: typed
// calls, problems as TrellisApiError, an unreachable instance as TrellisConnectionError, API
// keys, and the renewal of a token that expired, ahead of time or when the API says so, once for
// many calls at the same time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, TrellisApiError, TrellisConnectionError, unwrap, type Tokens } from '@trellis/sdk';
import { freePort } from '../../adm/test/fixtures.js';
import { startBehindGateway, type BehindGateway } from '../../test/e2e/behind-gateway.js';
import { ADMIN_PASSWORD } from '../../test/e2e/platform.js';

let behind: BehindGateway;
const TOKEN_SECONDS = 3;
// Past the expiry and the services' 5 seconds of clock tolerance.
const untilExpired = () => new Promise((resolve) => setTimeout(resolve, (TOKEN_SECONDS + 6) * 1000));

beforeAll(async () => {
  behind = await startBehindGateway({ overrides: (name): Record<string, string> => (name === 'authorization' ? { TRELLIS_ACCESS_TOKEN_TTL_SECONDS: String(TOKEN_SECONDS) } : {}) });
}, 120_000);
afterAll(() => behind?.stop());

describe('the SDK', () => {
  it('logs in and makes typed calls; a refused one throws the problem\'s code, status and detail', async () => {
    const client = createClient({ baseUrl: behind.gateway.base });
    const tokens = await client.login('admin', ADMIN_PASSWORD);
    expect(tokens.accessToken).toMatch(/^ey/);
    const me = await unwrap(client.GET('/authorization/me'));
    expect(me.user.username).toBe('admin');
    const missing = await client.GET('/authorization/users/{userId}', { params: { path: { userId: '00000000-0000-4000-8000-000000000000' } } }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(TrellisApiError);
    expect(missing).toMatchObject({ status: 404, code: 'user_not_found', message: 'user_not_found: User not found' });
    const invalid = await client.POST('/authorization/projects', { body: { name: 42 } as never }).catch((error: unknown) => error);
    expect(invalid).toMatchObject({ status: 400, code: 'invalid_request', detail: expect.stringContaining('does not match') });
    expect((invalid as TrellisApiError).errors[0]?.path).toContain('body.name');
  });

  it('says a wrong password with its code, and an instance that is down with TrellisConnectionError', async () => {
    const refused = await createClient({ baseUrl: behind.gateway.base }).login('admin', 'wrong').catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 401, code: 'invalid_credentials' });
    const down = `http://127.0.0.1:${await freePort()}`;
    const unreachable = await createClient({ baseUrl: down }).login('admin', 'x').catch((error: unknown) => error);
    expect(unreachable).toBeInstanceOf(TrellisConnectionError);
    expect((unreachable as TrellisConnectionError).reason).toContain('ECONNREFUSED');
  });

  it('acts for a project with an API key', async () => {
    const admin = createClient({ baseUrl: behind.gateway.base });
    await admin.login('admin', ADMIN_PASSWORD);
    const project = await unwrap(admin.POST('/authorization/projects', { body: { name: 'sdk-keys' } }));
    await admin.switchProject(project.id);
    const key = await unwrap(admin.POST('/authorization/projects/{projectId}/api-keys', { params: { path: { projectId: project.id } }, body: { name: 'ci', role: 'viewer' } }));
    const withKey = createClient({ baseUrl: behind.gateway.base, apiKey: key.key });
    await expect.poll(async () => (await unwrap(withKey.GET('/studio/project')).catch(() => undefined))?.id, { timeout: 20_000 }).toBe(project.id);
    const person = await withKey.GET('/authorization/me').catch((error: unknown) => error);
    expect(person).toMatchObject({ status: 403, code: 'user_token_required' });
  });

  it('renews an expired token before sending, once for many calls at the same time', { timeout: 30_000 }, async () => {
    const saved: Tokens[] = [];
    const client = createClient({ baseUrl: behind.gateway.base, onTokens: (tokens) => { saved.push(tokens); } });
    await client.login('admin', ADMIN_PASSWORD);
    const first = saved[0] as Tokens;
    await untilExpired();
    const answers = await Promise.all(Array.from({ length: 5 }, () => unwrap(client.GET('/authorization/me'))));
    expect(answers.every((me) => me.user.username === 'admin')).toBe(true);
    expect(saved).toHaveLength(2);
    expect(saved[1]?.refreshToken).not.toBe(first.refreshToken);
  });

  it('renews when the API says the token expired (a client whose clock is behind)', { timeout: 30_000 }, async () => {
    const saved: Tokens[] = [];
    const anHourAgo = () => Date.now() - 3_600_000;
    const client = createClient({ baseUrl: behind.gateway.base, clock: anHourAgo, onTokens: (tokens) => { saved.push(tokens); } });
    await client.login('admin', ADMIN_PASSWORD);
    await untilExpired();
    const me = await unwrap(client.GET('/authorization/me'));
    expect(me.user.username).toBe('admin');
    expect(saved).toHaveLength(2);
  });

  it('forgets its tokens at logout, and the refresh token no longer works', async () => {
    const client = createClient({ baseUrl: behind.gateway.base });
    const tokens = await client.login('admin', ADMIN_PASSWORD);
    await client.logout();
    expect(client.credentials()).toBeUndefined();
    const again = await createClient({ baseUrl: behind.gateway.base, tokens }).refresh().catch((error: unknown) => error);
    expect(again).toMatchObject({ status: 401 });
  });
});
