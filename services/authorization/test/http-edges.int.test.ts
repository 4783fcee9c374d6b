import { describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, useAuthorization } from './support.js';

const service = useAuthorization({ TRELLIS_BODY_LIMIT: '16kb' });

type Operation = { operationId: string; 'x-trellis-access': { kind: string; role?: string }; security?: unknown[] };

describe('the HTTP edge', () => {
  it.each([
    ['a body over the limit', { rawBody: JSON.stringify({ username: 'admin', password: 'x'.repeat(20_000) }) }, 413, 'payload_too_large'],
    ['malformed JSON', { rawBody: '{"username": "admin", ' }, 400, 'malformed_body'],
    ['a body that is not JSON', { rawBody: 'username=admin', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, 'unsupported_media_type'],
    ['an unknown field', { body: { username: 'admin', password: ADMIN_PASSWORD, admin: true } }, 400, 'invalid_request'],
    ['a wrong type', { body: { username: ['admin'], password: ADMIN_PASSWORD } }, 400, 'invalid_request'],
    ['an over-long password', { body: { username: 'admin', password: 'x'.repeat(1025) } }, 400, 'invalid_request'],
    ['no body', {}, 400, 'invalid_request'],
  ])('answers %s on login with a 4xx problem', async (_case, options, status, code) => {
    const answer = await service.call('POST', '/login', options);
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body.code).toBe(code);
  });

  it('answers bad ids, bad cursors and bad filters with 400', async () => {
    const admin = (await service.login('admin', ADMIN_PASSWORD)).access_token;
    expect((await service.call('GET', '/users/not-a-uuid', { token: admin })).body.code).toBe('invalid_request');
    expect((await service.call('GET', '/users?limit=0', { token: admin })).body.code).toBe('invalid_request');
    expect((await service.call('GET', '/users?cursor=%%%', { token: admin })).body.code).toBe('invalid_cursor');
    expect((await service.call('GET', '/audit?type=nonsense', { token: admin })).body.code).toBe('invalid_request');
  });

  it('declares every route with a stable operationId and its access; only login, refresh and JWKS are public among its own', async () => {
    const doc = (await service.call('GET', '/openapi.json')).body;
    const operations: Array<[string, string, Operation]> = Object.entries(doc.paths as Record<string, Record<string, Operation>>)
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => [method, path, op] as [string, string, Operation]));
    for (const [, , op] of operations) {
      expect(op.operationId).toMatch(/^authorization[A-Z][A-Za-z]+$/);
      expect(op['x-trellis-access']).toBeDefined();
    }
    expect(new Set(operations.map(([, , op]) => op.operationId)).size).toBe(operations.length);
    const publicOnes = operations.filter(([, , op]) => op['x-trellis-access'].kind === 'public').map(([method, path]) => `${method.toUpperCase()} ${path}`).sort();
    expect(publicOnes).toEqual([
      'GET /authorization/.well-known/jwks.json', 'GET /authorization/healthz', 'GET /authorization/metrics',
      'GET /authorization/openapi.json', 'GET /authorization/readyz', 'POST /authorization/login', 'POST /authorization/token/refresh',
    ]);
    expect(operations.length).toBeGreaterThanOrEqual(30);
  });

  it('refuses every non-public route without credentials, with a forged token, and admin routes to non-admins', async () => {
    const doc = (await service.call('GET', '/openapi.json')).body;
    const admin = await service.login('admin', ADMIN_PASSWORD);
    const forged = `${admin.access_token.slice(0, -4)}AAAA`;
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
      for (const [method, op] of Object.entries(methods)) {
        if (op['x-trellis-access'].kind === 'public') continue;
        const concrete = path.replace('/authorization', '').replace(/\{[A-Za-z]+\}/g, '00000000-0000-4000-8000-000000000000');
        expect([op.operationId, (await service.call(method.toUpperCase(), concrete)).status]).toEqual([op.operationId, 401]);
        expect([op.operationId, (await service.call(method.toUpperCase(), concrete, { token: forged })).status]).toEqual([op.operationId, 401]);
      }
    }
  });
});
