import { describe, expect, it } from 'vitest';
import { makeInstance, meta, userActor } from './fakes.js';

async function owned() {
  const instance = await makeInstance();
  const project = await instance.addProject('team');
  const owner = await instance.addUser('owner');
  await instance.join(project.id, owner.id, 'owner');
  return { ...instance, project, owner, asOwner: userActor(owner, { id: project.id, role: 'owner' }) };
}

describe('issueApiKey', () => {
  it('gives the secret once, stores and announces only its hash', async () => {
    const world = await owned();
    const expiresAt = new Date(world.now().getTime() + 86_400_000);
    const result = await world.useCases.issueApiKey({ actor: world.asOwner, projectId: world.project.id, name: 'CI', role: 'operator', expiresAt, meta });
    if (!result.ok) throw new Error(result.error.type);
    const { key, apiKey } = result.value;
    expect(apiKey).toMatchObject({ projectId: world.project.id, name: 'CI', role: 'operator', createdBy: world.owner.id, expiresAt, secretSha256: `sha:${key}` });
    expect(key.startsWith(`trk_${apiKey.prefix}_`)).toBe(true);
    expect(world.state().published.at(-1)).toEqual({
      type: 'ApiKeyIssued', keyId: apiKey.id, projectId: world.project.id, role: 'operator', secretSha256: `sha:${key}`, expiresAt, occurredAt: world.now(),
    });
    const stored = JSON.stringify({ keys: world.state().apiKeys, audit: world.state().audit, events: world.state().published });
    expect(stored).not.toContain(`"${key}"`);
  });

  it('is for the owners of the token\'s own project only; admins are no exception', async () => {
    const world = await owned();
    const input = { projectId: world.project.id, name: 'CI', role: 'viewer' as const, expiresAt: null, meta };
    expect(await world.useCases.issueApiKey({ ...input, actor: userActor(world.owner, { id: world.project.id, role: 'developer' }) })).toMatchObject({ ok: false, error: { type: 'Forbidden' } });
    expect(await world.useCases.issueApiKey({ ...input, actor: { ...world.admin.actor, projectId: world.defaultProject.id } })).toMatchObject({ ok: false, error: { type: 'ProjectNotFound' } });
    expect(world.state().apiKeys).toEqual([]);
  });

  it('refuses an expiry in the past', async () => {
    const world = await owned();
    expect(await world.useCases.issueApiKey({ actor: world.asOwner, projectId: world.project.id, name: 'old', role: 'viewer', expiresAt: world.now(), meta }))
      .toMatchObject({ ok: false, error: { type: 'ApiKeyExpiryInPast' } });
  });
});

describe('revokeApiKey', () => {
  it('revokes and announces once; another project\'s key is not found', async () => {
    const world = await owned();
    const issued = await world.useCases.issueApiKey({ actor: world.asOwner, projectId: world.project.id, name: 'CI', role: 'viewer', expiresAt: null, meta });
    if (!issued.ok) throw new Error(issued.error.type);
    const keyId = issued.value.apiKey.id;
    const adminAsOwnerOfDefault = world.admin.actor;
    expect(await world.useCases.revokeApiKey({ actor: adminAsOwnerOfDefault, projectId: world.defaultProject.id, keyId, meta })).toEqual({ ok: false, error: { type: 'ApiKeyNotFound', keyId } });
    expect(await world.useCases.revokeApiKey({ actor: adminAsOwnerOfDefault, projectId: world.project.id, keyId, meta })).toMatchObject({ ok: false, error: { type: 'ProjectNotFound' } });
    expect(await world.useCases.revokeApiKey({ actor: world.asOwner, projectId: world.project.id, keyId, meta })).toMatchObject({ ok: true, value: { revokedAt: world.now() } });
    expect(await world.useCases.revokeApiKey({ actor: world.asOwner, projectId: world.project.id, keyId, meta })).toMatchObject({ ok: true });
    expect(world.state().published.filter((e) => e.type === 'ApiKeyRevoked')).toEqual([{ type: 'ApiKeyRevoked', keyId, projectId: world.project.id, occurredAt: world.now() }]);
  });
});
