import { describe, expect, it } from 'vitest';
import { apiKeyActor, makeInstance, meta, userActor } from './fakes.js';

async function team() {
  const instance = await makeInstance();
  const project = await instance.addProject('team');
  const owner = await instance.addUser('owner');
  const dev = await instance.addUser('dev');
  const outsider = await instance.addUser('outsider');
  await instance.join(project.id, owner.id, 'owner');
  await instance.join(project.id, dev.id, 'developer');
  await instance.join(instance.defaultProject.id, outsider.id, 'owner');
  // The admin created the project, so they own it too; step them down to test owners alone.
  await instance.useCases.removeMember({ actor: { ...instance.admin.actor, projectId: null }, projectId: project.id, userId: instance.admin.id, meta });
  return {
    ...instance, project, owner, dev, outsider,
    asOwner: userActor(owner, { id: project.id, role: 'owner' }),
    asDev: userActor(dev, { id: project.id, role: 'developer' }),
    asOutsider: userActor(outsider, { id: instance.defaultProject.id, role: 'owner' }),
  };
}

describe('member management', () => {
  it('lets an owner add, re-role and remove members, announcing each change', async () => {
    const world = await team();
    const newbie = await world.addUser('newbie');
    expect(await world.useCases.addMember({ actor: world.asOwner, projectId: world.project.id, user: { username: 'newbie' }, role: 'viewer', meta }))
      .toMatchObject({ ok: true, value: { userId: newbie.id, role: 'viewer' } });
    expect(await world.useCases.changeMemberRole({ actor: world.asOwner, projectId: world.project.id, userId: newbie.id, role: 'operator', meta }))
      .toMatchObject({ ok: true, value: { role: 'operator' } });
    expect(await world.useCases.removeMember({ actor: world.asOwner, projectId: world.project.id, userId: newbie.id, meta })).toEqual({ ok: true, value: undefined });
    expect(world.state().published.slice(-3)).toEqual([
      expect.objectContaining({ type: 'MembershipChanged', projectId: world.project.id, userId: newbie.id, role: 'viewer', changedBy: world.owner.id }),
      expect.objectContaining({ type: 'MembershipChanged', role: 'operator' }),
      expect.objectContaining({ type: 'MembershipChanged', role: null }),
    ]);
    expect(world.state().audit.slice(-3).map((e) => e.details['change'])).toEqual(['added', 'role_changed', 'removed']);
  });

  it('answers another project\'s member changes as not found, and a developer\'s as forbidden', async () => {
    const world = await team();
    const before = world.state();
    expect(await world.useCases.addMember({ actor: world.asOutsider, projectId: world.project.id, user: { id: world.outsider.id }, role: 'owner', meta }))
      .toEqual({ ok: false, error: { type: 'ProjectNotFound', projectId: world.project.id } });
    expect(await world.useCases.removeMember({ actor: world.asOutsider, projectId: world.project.id, userId: world.dev.id, meta }))
      .toEqual({ ok: false, error: { type: 'ProjectNotFound', projectId: world.project.id } });
    expect(await world.useCases.changeMemberRole({ actor: world.asDev, projectId: world.project.id, userId: world.dev.id, role: 'owner', meta }))
      .toEqual({ ok: false, error: { type: 'Forbidden', needed: 'owner' } });
    expect(world.state()).toEqual(before);
  });

  it('lets an instance admin manage any project\'s members, whatever their token\'s project', async () => {
    const world = await team();
    const adminElsewhere = { ...world.admin.actor, projectId: world.defaultProject.id };
    expect(await world.useCases.addMember({ actor: adminElsewhere, projectId: world.project.id, user: { id: world.outsider.id }, role: 'viewer', meta })).toMatchObject({ ok: true });
  });

  it('keeps the last owner', async () => {
    const world = await team();
    expect(await world.useCases.removeMember({ actor: world.asOwner, projectId: world.project.id, userId: world.owner.id, meta }))
      .toEqual({ ok: false, error: { type: 'LastOwner', userId: world.owner.id } });
    expect(await world.useCases.changeMemberRole({ actor: world.asOwner, projectId: world.project.id, userId: world.owner.id, role: 'developer', meta }))
      .toEqual({ ok: false, error: { type: 'LastOwner', userId: world.owner.id } });
    await world.useCases.changeMemberRole({ actor: world.asOwner, projectId: world.project.id, userId: world.dev.id, role: 'owner', meta });
    expect(await world.useCases.removeMember({ actor: world.asOwner, projectId: world.project.id, userId: world.owner.id, meta })).toMatchObject({ ok: true });
  });

  it('refuses unknown users, members twice and strangers', async () => {
    const world = await team();
    expect(await world.useCases.addMember({ actor: world.asOwner, projectId: world.project.id, user: { username: 'ghost' }, role: 'viewer', meta })).toMatchObject({ ok: false, error: { type: 'UserNotFound' } });
    expect(await world.useCases.addMember({ actor: world.asOwner, projectId: world.project.id, user: { id: world.dev.id }, role: 'viewer', meta })).toMatchObject({ ok: false, error: { type: 'AlreadyMember' } });
    expect(await world.useCases.removeMember({ actor: world.asOwner, projectId: world.project.id, userId: world.outsider.id, meta })).toMatchObject({ ok: false, error: { type: 'MemberNotFound' } });
  });

  it('lets an owner-role API key of the project manage members, recorded as the key', async () => {
    const world = await team();
    const key = apiKeyActor('key-1', { id: world.project.id, role: 'owner' });
    expect(await world.useCases.changeMemberRole({ actor: key, projectId: world.project.id, userId: world.dev.id, role: 'viewer', meta })).toMatchObject({ ok: true });
    expect(world.state().published.at(-1)).toMatchObject({ changedBy: 'key-1' });
    expect(world.state().audit.at(-1)).toMatchObject({ actorUserId: null, actorApiKeyId: 'key-1' });
  });
});
