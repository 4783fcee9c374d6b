import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateApiKey, makeReplicatedApiKeys } from '@trellis/platform/auth/api-keys';
import { DEAD_LETTERS, QUEUE, TYPES, drainQueue, eventually, events, handled, publish, sleep, useStudio } from './fixtures.js';

const studio = useStudio();

const projectRows = (id: string) => studio.database.db.selectFrom('projects').selectAll().where('id', '=', id).execute();
const keyRows = (projectId: string) => studio.database.db.selectFrom('api_keys').selectAll().where('project_id', '=', projectId).execute();

async function knownProject(name = 'a project'): Promise<string> {
  const id = randomUUID();
  await handled(studio.database.db, await publish(studio.vhost.url, TYPES.projectCreated, events.projectCreated(id, name)));
  return id;
}

async function issuedKey(projectId: string) {
  const { key, sha256 } = generateApiKey();
  const keyId = randomUUID();
  await handled(studio.database.db, await publish(studio.vhost.url, TYPES.apiKeyIssued, events.apiKeyIssued({ keyId, projectId, sha256, role: 'developer' })));
  return { key, sha256, keyId };
}

describe('studio consuming authorization events', () => {
  it('records an announced project once, even when the message is delivered twice or replayed', async () => {
    const id = randomUUID();
    const content = events.projectCreated(id, 'twice');
    const messageId = randomUUID();
    await publish(studio.vhost.url, TYPES.projectCreated, content, messageId);
    await publish(studio.vhost.url, TYPES.projectCreated, content, messageId);
    await handled(studio.database.db, { messageId });
    const replay = await publish(studio.vhost.url, TYPES.projectCreated, events.projectCreated(id, 'renamed in a replay'));
    await handled(studio.database.db, replay);
    await sleep(300); // room for the duplicate delivery to be (not) applied
    const rows = await projectRows(id);
    expect(rows.map(({ id: rowId, name }) => ({ id: rowId, name }))).toEqual([{ id, name: 'twice' }]);
    expect(await studio.database.db.selectFrom('inbox').select('message_id').where('message_id', '=', messageId).execute()).toHaveLength(1);
  });

  it('replicates an issued key, and a revocation ends it', async () => {
    const projectId = await knownProject();
    const { sha256, keyId } = await issuedKey(projectId);
    const keys = makeReplicatedApiKeys(studio.database.db);
    expect(await keys.lookup(sha256)).toEqual({ keyId, projectId, role: 'developer', expiresAt: null, revokedAt: null });

    const revoked = await publish(studio.vhost.url, TYPES.apiKeyRevoked, events.apiKeyRevoked({ keyId, projectId }));
    await handled(studio.database.db, revoked);
    expect((await keys.lookup(sha256))?.revokedAt).toBeInstanceOf(Date);
  });

  it('keeps a key revoked when its revocation arrives before its announcement', async () => {
    const projectId = await knownProject();
    const { sha256 } = generateApiKey();
    const keyId = randomUUID();
    await handled(studio.database.db, await publish(studio.vhost.url, TYPES.apiKeyRevoked, events.apiKeyRevoked({ keyId, projectId })));
    await handled(studio.database.db, await publish(studio.vhost.url, TYPES.apiKeyIssued, events.apiKeyIssued({ keyId, projectId, sha256 })));
    const rows = await keyRows(projectId);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.revoked_at).toBeInstanceOf(Date);
    expect(await makeReplicatedApiKeys(studio.database.db).lookup(sha256)).toBeUndefined(); // never recognised
  });

  it('deletes every row of a deleted project, and nothing of another project', async () => {
    const doomed = await knownProject('doomed');
    const kept = await knownProject('kept');
    for (const projectId of [doomed, kept]) {
      await issuedKey(projectId);
      await issuedKey(projectId);
    }
    await handled(studio.database.db, await publish(studio.vhost.url, TYPES.projectDeleted, events.projectDeleted(doomed)));
    expect(await projectRows(doomed)).toEqual([]);
    expect(await keyRows(doomed)).toEqual([]);
    expect(await projectRows(kept)).toHaveLength(1);
    expect(await keyRows(kept)).toHaveLength(2);

    // A second deletion is harmless; a late announcement or key does not bring the project back.
    await handled(studio.database.db, await publish(studio.vhost.url, TYPES.projectDeleted, events.projectDeleted(doomed)));
    await handled(studio.database.db, await publish(studio.vhost.url, TYPES.projectCreated, events.projectCreated(doomed, 'doomed')));
    await handled(studio.database.db, await publish(studio.vhost.url, TYPES.apiKeyIssued,
      events.apiKeyIssued({ keyId: randomUUID(), projectId: doomed, sha256: generateApiKey().sha256 })));
    expect(await projectRows(doomed)).toEqual([]);
    expect(await keyRows(doomed)).toEqual([]);
    expect(await drainQueue(studio.vhost.url, DEAD_LETTERS)).toEqual([]);
  });

  it('dead-letters messages with a missing or malformed field, without applying them', async () => {
    const projectId = randomUUID();
    const key = { keyId: randomUUID(), projectId, sha256: generateApiKey().sha256 };
    const bad: Array<[string, string, Uint8Array]> = [
      ['ProjectCreated without a name', TYPES.projectCreated, events.projectCreated(projectId, '')],
      ['ProjectCreated with a bad project id', TYPES.projectCreated, events.projectCreated('not-a-uuid', 'x')],
      ['ProjectCreated without occurred_at', TYPES.projectCreated, events.projectCreated(projectId, 'x', { meta: undefined })],
      ['ProjectDeleted with a bad project id', TYPES.projectDeleted, events.projectDeleted('1234')],
      ['ApiKeyIssued with an unknown role', TYPES.apiKeyIssued, events.apiKeyIssued({ ...key, role: 'admin' })],
      ['ApiKeyIssued with a short hash', TYPES.apiKeyIssued, events.apiKeyIssued({ ...key, sha256: 'abc123' })],
      ['ApiKeyIssued with a non-hex hash', TYPES.apiKeyIssued, events.apiKeyIssued({ ...key, sha256: 'z'.repeat(64) })],
      ['ApiKeyIssued with a bad key id', TYPES.apiKeyIssued, events.apiKeyIssued({ ...key, keyId: 'key-1' })],
      ['ApiKeyRevoked with a bad project id', TYPES.apiKeyRevoked, events.apiKeyRevoked({ ...key, projectId: '' })],
      ['ApiKeyRevoked without occurred_at', TYPES.apiKeyRevoked, events.apiKeyRevoked(key, { meta: undefined })],
      ['bytes that are not protobuf', TYPES.apiKeyIssued, Buffer.from([0xff, 0xff, 0xff, 0x13])],
    ];
    const sent = new Map<string, string>();
    for (const [what, type, content] of bad) sent.set((await publish(studio.vhost.url, type, content)).messageId, what);

    const dead: string[] = [];
    const reasons: string[] = [];
    await eventually(async () => {
      for (const message of await drainQueue(studio.vhost.url, DEAD_LETTERS)) {
        dead.push(String(message.properties.messageId));
        reasons.push(String(message.properties.headers?.['x-trellis-dead-reason']));
      }
      return dead.length;
    }, (count) => count >= bad.length);
    expect(dead.sort()).toEqual([...sent.keys()].sort());
    expect(reasons.every((reason) => reason.startsWith('undecodable'))).toBe(true);
    expect(await projectRows(projectId)).toEqual([]);
    expect(await keyRows(projectId)).toEqual([]);
    const inbox = await studio.database.db.selectFrom('inbox').select('message_id').where('consumer', '=', QUEUE).where('message_id', 'in', [...sent.keys()]).execute();
    expect(inbox).toEqual([]);
  });
});
