import { Writable } from 'node:stream';
import winston from 'winston';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLogger } from '@trellis/platform/logger';
import { ADMIN_PASSWORD, startTestAuthorization, type TestAuthorization } from './support.js';

const lines: string[] = [];
const capture = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  },
});
let service: TestAuthorization;

beforeAll(async () => {
  const logger = makeLogger({ service: 'authorization', level: 'debug', transports: [new winston.transports.Stream({ stream: capture })] });
  service = await startTestAuthorization({ TRELLIS_LOG_LEVEL: 'debug' }, { logger });
});
afterAll(() => service?.close());

describe('log lines of a full scenario', () => {
  it('hold no password, token, refresh token, API key or secret value', async () => {
    const secrets: string[] = [ADMIN_PASSWORD, service.env['TRELLIS_SECRET_KEY'] ?? 'missing'];
    const login = await service.login('admin', ADMIN_PASSWORD);
    secrets.push(login.access_token, login.refresh_token);
    const refreshed = (await service.call('POST', '/token/refresh', { body: { refresh_token: login.refresh_token } })).body;
    secrets.push(refreshed.access_token, refreshed.refresh_token);

    const userPassword = 'ada very secret words';
    await service.call('POST', '/users', { token: refreshed.access_token, body: { username: 'ada', password: userPassword } });
    secrets.push(userPassword);
    const key = (await service.call('POST', `/projects/${login.project_id}/api-keys`, { token: refreshed.access_token, body: { name: 'ci', role: 'viewer' } })).body.key;
    secrets.push(key);
    expect((await service.call('GET', `/projects/${login.project_id}/members`, { token: key })).status).toBe(200);

    const wrongPassword = 'this was a wrong guess';
    expect((await service.call('POST', '/login', { body: { username: 'admin', password: wrongPassword } })).status).toBe(401);
    const typedIntoUsername = 'password-in-the-username-box';
    expect((await service.call('POST', '/login', { body: { username: typedIntoUsername, password: wrongPassword } })).status).toBe(401);
    secrets.push(wrongPassword, typedIntoUsername);
    expect((await service.call('POST', '/me/password', { token: refreshed.access_token, body: { current_password: wrongPassword, new_password: 'irrelevant new one' } })).status).toBe(403);
    expect((await service.call('POST', '/token/refresh', { body: { refresh_token: login.refresh_token } })).status).toBe(401); // reuse revokes the family
    expect((await service.call('POST', '/logout', { token: refreshed.access_token, body: { refresh_token: refreshed.refresh_token } })).status).toBe(401);

    const privateKeys = await service.database.db.selectFrom('signing_keys').select('private_key_sealed').execute();
    secrets.push(...privateKeys.map((row) => row.private_key_sealed));

    expect(lines.filter((line) => line.includes('"message":"request"')).length).toBeGreaterThanOrEqual(10);
    const all = lines.join('\n');
    for (const secret of secrets) {
      expect(all).not.toContain(secret);
      // Parts too: a token's signature or a key's secret half must not leak on its own either.
      expect(all).not.toContain(secret.slice(-16));
    }
    expect(all).not.toMatch(/trk_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{20}/);
    expect(all).not.toMatch(/trr_[A-Za-z0-9_-]{20}/);
    expect(all).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
  });
});
