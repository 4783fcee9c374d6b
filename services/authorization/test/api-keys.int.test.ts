import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as pb from '../src/infrastructure/pb/authorization/v1/events.js';
import { ADMIN_PASSWORD, sleep, useAuthorization } from './support.js';

const CACHE_MS = 700;
const service = useAuthorization({ TRELLIS_API_KEY_CACHE_MS: String(CACHE_MS) });

async function outboxOf(type: string) {
  const rows = await service.database.db.selectFrom('outbox').selectAll().where('message_type', '=', `trellis.authorization.v1.${type}`).orderBy('seq').execute();
  return rows;
}

describe('project API keys through HTTP', () => {
  it('shows the secret once, lists keys without it, works as a Bearer credential, and is refused soon after revocation', async () => {
    const owner = await service.login('admin', ADMIN_PASSWORD);
    const projectId = owner.project_id;
    const created = await service.call('POST', `/projects/${projectId}/api-keys`, { token: owner.access_token, body: { name: 'CI', role: 'viewer' } });
    expect(created.status).toBe(201);
    const key: string = created.body.key;
    expect(key).toMatch(new RegExp(`^trk_${created.body.prefix}_`));
    expect(created.body).toMatchObject({ name: 'CI', role: 'viewer', expires_at: null, revoked_at: null });

    const list = await service.call('GET', `/projects/${projectId}/api-keys`, { token: owner.access_token });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([expect.objectContaining({ id: created.body.id, prefix: created.body.prefix, name: 'CI', role: 'viewer', created_by: expect.any(String) })]);
    const sha256 = createHash('sha256').update(key).digest('hex');
    expect(list.text).not.toContain(key);
    expect(list.text).not.toContain(key.slice(-20));
    expect(list.text).not.toContain(sha256);

    // Announced by hash for every other service.
    const [issued] = await outboxOf('ApiKeyIssued');
    const message = pb.ApiKeyIssued.decode(issued?.payload ?? new Uint8Array());
    expect(message).toMatchObject({ keyId: created.body.id, projectId, role: 'viewer', secretSha256: sha256 });
    expect(message.meta).toMatchObject({ eventId: issued?.message_id, projectId });
    expect(Buffer.from(issued?.payload ?? []).toString('latin1')).not.toContain(key);

    // A viewer key reads its project's members, nothing owner-only, and never /me or admin routes.
    expect((await service.call('GET', `/projects/${projectId}/members`, { token: key })).status).toBe(200);
    expect((await service.call('GET', `/projects/${projectId}/api-keys`, { token: key })).status).toBe(403);
    expect((await service.call('GET', '/me', { token: key })).body.code).toBe('user_token_required');
    expect((await service.call('GET', '/users', { token: key })).status).toBe(403);
    expect((await service.call('POST', '/token/switch', { token: key, body: { project_id: projectId } })).status).toBe(403);

    const revoked = await service.call('DELETE', `/projects/${projectId}/api-keys/${created.body.id}`, { token: owner.access_token });
    expect(revoked.status).toBe(204);
    expect((await outboxOf('ApiKeyRevoked')).map((row) => pb.ApiKeyRevoked.decode(row.payload).keyId)).toEqual([created.body.id]);
    await sleep(CACHE_MS + 100);
    const refused = await service.call('GET', `/projects/${projectId}/members`, { token: key });
    expect(refused.status).toBe(401);
    expect((await service.call('GET', `/projects/${projectId}/api-keys`, { token: owner.access_token })).body.items[0].revoked_at).toEqual(expect.any(String));
  });

  it('lets an owner key manage keys of its own project, and refuses an expired key', async () => {
    const owner = await service.login('admin', ADMIN_PASSWORD);
    const projectId = owner.project_id;
    const ownerKey = (await service.call('POST', `/projects/${projectId}/api-keys`, { token: owner.access_token, body: { name: 'automation', role: 'owner' } })).body.key;
    const soon = new Date(Date.now() + 1500).toISOString();
    const shortLived = await service.call('POST', `/projects/${projectId}/api-keys`, { token: ownerKey, body: { name: 'short', role: 'operator', expires_at: soon } });
    expect(shortLived.status).toBe(201);
    expect(shortLived.body.expires_at).toBe(soon);
    expect((await service.call('GET', `/projects/${projectId}/members`, { token: shortLived.body.key })).status).toBe(200);
    await sleep(1600);
    expect((await service.call('GET', `/projects/${projectId}/members`, { token: shortLived.body.key })).status).toBe(401);
    const past = await service.call('POST', `/projects/${projectId}/api-keys`, { token: owner.access_token, body: { name: 'past', role: 'viewer', expires_at: '2020-01-01T00:00:00Z' } });
    expect(past.body.code).toBe('api_key_expiry_in_past');
  });

  it('pages through keys, newest first', async () => {
    const owner = await service.login('admin', ADMIN_PASSWORD);
    const projectId = owner.project_id;
    for (const name of ['p1', 'p2', 'p3']) await service.call('POST', `/projects/${projectId}/api-keys`, { token: owner.access_token, body: { name, role: 'viewer' } });
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { body: { items: Array<{ id: string }>; next: string | null } } =
        await service.call('GET', `/projects/${projectId}/api-keys?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: owner.access_token });
      seen.push(...page.body.items.map((item) => item.id));
      cursor = page.body.next;
    }
    const all = (await service.call('GET', `/projects/${projectId}/api-keys?limit=200`, { token: owner.access_token })).body.items.map((item: { id: string }) => item.id);
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
    expect((await service.call('GET', `/projects/${projectId}/api-keys?cursor=garbage`, { token: owner.access_token })).body.code).toBe('invalid_cursor');
  });
});
