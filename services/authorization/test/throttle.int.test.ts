import { describe, expect, it } from 'vitest';
import { sleep, useAuthorization } from './support.js';

// A short first delay keeps the test quick; the doubling and the 15-minute cap are domain tables.
const service = useAuthorization({ TRELLIS_LOGIN_LOCKOUT_BASE_MS: '1500' });

async function createUser(username: string, password: string) {
  const admin = await service.login('admin', 'integration admin password');
  const answer = await service.call('POST', '/users', { token: admin.access_token, body: { username, password } });
  expect(answer.status).toBe(201);
}

const attempt = (username: string, password: string, address = '198.51.100.10') =>
  service.call('POST', '/login', { body: { username, password }, headers: { 'x-forwarded-for': address } });

describe('login throttling and uniform errors', () => {
  it('refuses the username with 429 and Retry-After after 10 wrong passwords, the right one included, until the delay passes', async () => {
    await createUser('victim', 'victim password!');
    for (let i = 0; i < 10; i++) expect((await attempt('victim', `wrong guess ${i}`)).status).toBe(401);

    const locked = await attempt('victim', 'victim password!');
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('2');
    expect(locked.headers.get('content-type')).toContain('application/problem+json');
    expect(locked.body).toMatchObject({ status: 429, code: 'too_many_attempts' });
    // The lock is on the username, whatever address the guesses come from.
    expect((await attempt('victim', 'victim password!', '203.0.113.99')).status).toBe(429);

    await sleep(1600);
    expect((await attempt('victim', 'victim password!')).status).toBe(200);
    // The success reset the count: one new failure does not lock again.
    expect((await attempt('victim', 'wrong again')).status).toBe(401);
    expect((await attempt('victim', 'victim password!')).status).toBe(200);
  });

  it('answers an unknown username exactly as a wrong password, in similar time', async () => {
    await createUser('known', 'known password!');
    const strip = (body: Record<string, unknown>) => ({ ...body, request_id: undefined });
    const timings: Record<string, number[]> = { unknown: [], wrong: [] };
    let unknown;
    let wrong;
    for (let i = 0; i < 3; i++) {
      let started = performance.now();
      unknown = await attempt('nobody-here', 'some password', `192.0.2.${i}`);
      timings['unknown']?.push(performance.now() - started);
      started = performance.now();
      wrong = await attempt('known', 'some password', `192.0.2.${i}`);
      timings['wrong']?.push(performance.now() - started);
    }
    expect(unknown?.status).toBe(401);
    expect(wrong?.status).toBe(401);
    expect(strip(unknown?.body)).toEqual(strip(wrong?.body));
    expect(unknown?.body).toMatchObject({ code: 'invalid_credentials', instance: '/authorization/login' });
    expect(unknown?.headers.get('content-length')).toBe(wrong?.headers.get('content-length'));
    // Both paths run one scrypt derivation; an unknown name must not answer markedly faster.
    const median = (values: number[] = []) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    expect(median(timings['unknown'])).toBeGreaterThan(median(timings['wrong']) / 3);
  });

  it('keeps its counters in Postgres, where every replica sees them', async () => {
    await createUser('counted', 'counted password!');
    await attempt('counted', 'nope nope nope');
    const rows = await service.database.db.selectFrom('login_throttle').selectAll().where('value', '=', 'counted').execute();
    expect(rows).toEqual([expect.objectContaining({ kind: 'username', failures: 1, locked_until: null })]);
  });
});
