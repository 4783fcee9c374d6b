import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateApiKey, makeReplicatedApiKeys } from '@trellis/platform/auth/api-keys';
import {
  DEAD_LETTERS, QUEUE, TYPES, drainQueue, eventually, events, handled, objectNames, publish, putObjects, sleep, useService,
} from './fixtures.js';

const service = useService();

const projectRows = (id: string) => service.database.db.selectFrom('projects').selectAll().where('id', '=', id).execute();
const keyRows = (projectId: string) => service.database.db.selectFrom('api_keys').selectAll().where('project_id', '=', projectId).execute();

async function knownProject(name = 'a project'): Promise<string> {
  const id = randomUUID();
  await handled(service.database.db, await publish(service.vhost.url, TYPES.projectCreated, events.projectCreated(id, name)));
  return id;
}

async function issuedKey(projectId: string) {
  const { key, sha256 } = generateApiKey();
  const keyId = randomUUID();
  await handled(service.database.db, await publish(service.vhost.url, TYPES.apiKeyIssued, events.apiKeyIssued({ keyId, projectId, sha256, role: 'developer' })));
  return { key, sha256, keyId };
}

describe('the repository consuming authorization events', () => {
  it('records an announced project once, even when the message is delivered twice or replayed', async () => {
    const id = randomUUID();
    const content = events.projectCreated(id, 'twice');
    const messageId = randomUUID();
    await publish(service.vhost.url, TYPES.projectCreated, content, messageId);
    await publish(service.vhost.url, TYPES.projectCreated, content, messageId);
    await handled(service.database.db, { messageId });
    const replay = await publish(service.vhost.url, TYPES.projectCreated, events.projectCreated(id, 'renamed in a replay'));
    await handled(service.database.db, replay);
    await sleep(300); // room for the duplicate delivery to be (not) applied
    const rows = await projectRows(id);
    expect(rows.map(({ id: rowId, name }) => ({ id: rowId, name }))).toEqual([{ id, name: 'twice' }]);
    expect(await service.database.db.selectFrom('inbox').select('message_id').where('message_id', '=', messageId).execute()).toHaveLength(1);
  });

  it('replicates an issued key, and a revocation ends it', async () => {
    const projectId = await knownProject();
    const { sha256, keyId } = await issuedKey(projectId);
    const keys = makeReplicatedApiKeys(service.database.db);
    expect(await keys.lookup(sha256)).toEqual({ keyId, projectId, role: 'developer', expiresAt: null, revokedAt: null });

    const revoked = await publish(service.vhost.url, TYPES.apiKeyRevoked, events.apiKeyRevoked({ keyId, projectId }));
    await handled(service.database.db, revoked);
    expect((await keys.lookup(sha256))?.revokedAt).toBeInstanceOf(Date);
  });

  it('keeps a key revoked when its revocation arrives before its announcement', async () => {
    const projectId = await knownProject();
    const { sha256 } = generateApiKey();
    const keyId = randomUUID();
    await handled(service.database.db, await publish(service.vhost.url, TYPES.apiKeyRevoked, events.apiKeyRevoked({ keyId, projectId })));
    await handled(service.database.db, await publish(service.vhost.url, TYPES.apiKeyIssued, events.apiKeyIssued({ keyId, projectId, sha256 })));
    const rows = await keyRows(projectId);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.revoked_at).toBeInstanceOf(Date);
    expect(await makeReplicatedApiKeys(service.database.db).lookup(sha256)).toBeUndefined(); // never recognised
  });

  it('deletes every row and every object of a deleted project, and nothing of another project', async () => {
    const doomed = await knownProject('doomed');
    const kept = await knownProject('kept');
    for (const projectId of [doomed, kept]) {
      await issuedKey(projectId);
      await issuedKey(projectId);
    }
    const doomedObjects = [`repository/projects/${doomed}/sources/one.tar.gz`, `repository/projects/${doomed}/artifacts/a/b/c.bin`, `repository/projects/${doomed}/x.txt`];
    const keptObjects = [`repository/projects/${kept}/sources/one.tar.gz`, `elsewhere/projects/${doomed}/not-under-the-prefix.txt`, `runner/projects/${doomed}/another-service-owns-this.txt`];
    await putObjects(service.store, [...doomedObjects, ...keptObjects]);

    await handled(service.database.db, await publish(service.vhost.url, TYPES.projectDeleted, events.projectDeleted(doomed)));
    expect(await projectRows(doomed)).toEqual([]);
    expect(await keyRows(doomed)).toEqual([]);
    expect(await objectNames(service.store)).toEqual([...keptObjects].sort());
    expect(await projectRows(kept)).toHaveLength(1);
    expect(await keyRows(kept)).toHaveLength(2);

    // A second deletion is harmless; a late announcement or key does not bring the project back.
    await handled(service.database.db, await publish(service.vhost.url, TYPES.projectDeleted, events.projectDeleted(doomed)));
    await handled(service.database.db, await publish(service.vhost.url, TYPES.projectCreated, events.projectCreated(doomed, 'doomed')));
    await handled(service.database.db, await publish(service.vhost.url, TYPES.apiKeyIssued,
      events.apiKeyIssued({ keyId: randomUUID(), projectId: doomed, sha256: generateApiKey().sha256 })));
    expect(await projectRows(doomed)).toEqual([]);
    expect(await keyRows(doomed)).toEqual([]);
    expect(await objectNames(service.store)).toEqual([...keptObjects].sort());
    expect(await drainQueue(service.vhost.url, DEAD_LETTERS)).toEqual([]);
  });

  it('retries a deletion while the object store is unreachable, leaving the rows until the objects are gone', async () => {
    const projectId = await knownProject('unlucky');
    await issuedKey(projectId);
    const objects = [`repository/projects/${projectId}/a.txt`, `repository/projects/${projectId}/b/c.txt`];
    await putObjects(service.store, objects);

    await service.storeProxy.cut();
    const deletion = await publish(service.vhost.url, TYPES.projectDeleted, events.projectDeleted(projectId));
    try {
      await sleep(800); // the first attempts fail and are rolled back
      expect(await projectRows(projectId)).toHaveLength(1);
      expect(await keyRows(projectId)).toHaveLength(1);
      expect((await objectNames(service.store)).filter((name) => name.includes(projectId))).toEqual(objects);
      const inbox = await service.database.db.selectFrom('inbox').select('message_id').where('message_id', '=', deletion.messageId).execute();
      expect(inbox).toEqual([]);
    } finally {
      await service.storeProxy.restore();
    }

    await handled(service.database.db, deletion);
    expect(await projectRows(projectId)).toEqual([]);
    expect(await keyRows(projectId)).toEqual([]);
    expect((await objectNames(service.store)).filter((name) => name.includes(projectId))).toEqual([]);
    expect(await drainQueue(service.vhost.url, DEAD_LETTERS)).toEqual([]);
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
    for (const [what, type, content] of bad) sent.set((await publish(service.vhost.url, type, content)).messageId, what);

    const dead: string[] = [];
    const reasons: string[] = [];
    await eventually(async () => {
      for (const message of await drainQueue(service.vhost.url, DEAD_LETTERS)) {
        dead.push(String(message.properties.messageId));
        reasons.push(String(message.properties.headers?.['x-trellis-dead-reason']));
      }
      return dead.length;
    }, (count) => count >= bad.length);
    expect(dead.sort()).toEqual([...sent.keys()].sort());
    expect(reasons.every((reason) => reason.startsWith('undecodable'))).toBe(true);
    expect(await projectRows(projectId)).toEqual([]);
    expect(await keyRows(projectId)).toEqual([]);
    const inbox = await service.database.db.selectFrom('inbox').select('message_id').where('consumer', '=', QUEUE).where('message_id', 'in', [...sent.keys()]).execute();
    expect(inbox).toEqual([]);
  });
});
