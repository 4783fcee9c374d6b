import { describe, expect, it } from 'vitest';
import type { IssuedApiKey } from '../domain/api-key.js';
import { makeFakeApiKeys, makeFakeProjects } from './fakes.js';
import { recordApiKey } from './record-api-key.js';
import { revokeApiKey } from './revoke-api-key.js';

const issued: IssuedApiKey = { keyId: 'k1', projectId: 'p1', role: 'operator', secretSha256: 'a'.repeat(64), expiresAt: null };
const revokedAt = new Date('2026-11-02T09:00:00Z');

function deps() {
  return { projects: makeFakeProjects(), apiKeys: makeFakeApiKeys() };
}

describe('API key replication', () => {
  it('records an issued key once, however often it is announced', async () => {
    const d = deps();
    expect(await recordApiKey(d, issued)).toEqual({ outcome: 'recorded' });
    expect(await recordApiKey(d, { ...issued, role: 'owner' })).toEqual({ outcome: 'recorded' });
    expect(d.apiKeys.all()).toEqual([{ ...issued, revokedAt: null }]);
  });

  it.each([
    ['issued then revoked', ['issue', 'revoke']],
    ['revoked before its announcement arrived', ['revoke', 'issue']],
    ['revoked, announced, revoked again', ['revoke', 'issue', 'revoke']],
  ] as const)('ends revoked when %s', async (_case, order) => {
    const d = deps();
    for (const step of order) {
      if (step === 'issue') await recordApiKey(d, issued);
      else expect(await revokeApiKey(d, { keyId: 'k1', projectId: 'p1', revokedAt })).toEqual({ outcome: 'revoked' });
    }
    const keys = d.apiKeys.all();
    expect(keys).toHaveLength(1);
    expect(keys[0]?.revokedAt).toEqual(revokedAt);
  });

  it('keeps the first revocation time', async () => {
    const d = deps();
    await recordApiKey(d, issued);
    await revokeApiKey(d, { keyId: 'k1', projectId: 'p1', revokedAt });
    await revokeApiKey(d, { keyId: 'k1', projectId: 'p1', revokedAt: new Date('2026-12-01T00:00:00Z') });
    expect(d.apiKeys.all()[0]?.revokedAt).toEqual(revokedAt);
  });

  it('neither records nor revokes a key of a project already deleted here', async () => {
    const d = deps();
    await d.projects.forget('p1', revokedAt);
    expect(await recordApiKey(d, issued)).toEqual({ outcome: 'ignored', reason: 'project_deleted' });
    expect(await revokeApiKey(d, { keyId: 'k1', projectId: 'p1', revokedAt })).toEqual({ outcome: 'ignored', reason: 'project_deleted' });
    expect(d.apiKeys.all()).toEqual([]);
  });
});
