import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { deadLetterQueueOf } from '@trellis/platform/amqp/topology';
import { generateSealingKeyPair, keyIdOf } from '@trellis/platform/crypto/sealed-box';
import { drainQueue } from '@trellis/platform/testing/amqp';
import { eventually } from '@trellis/platform/testing/eventually';
import * as studio from '../src/infrastructure/pb/studio/v1/events.js';
import { QUEUE, useRunner } from './fixtures.js';

const { runner, keys, values, knownProject, deleteProject, setVariable, deleteVariable, setSecret, deleteSecret, asStudio, sealFor } = useRunner();

const rowsOf = async (projectId: string) => ({
  variables: await runner.database.db.selectFrom('project_variables').select(['name', 'revision']).where('project_id', '=', projectId).orderBy('name').execute(),
  secrets: await runner.database.db.selectFrom('project_secrets').select(['name', 'revision']).where('project_id', '=', projectId).orderBy('name').execute(),
  tombstones: await runner.database.db.selectFrom('project_value_tombstones').select(['kind', 'name', 'revision']).where('project_id', '=', projectId).orderBy('name').execute(),
});

describe('the project values studio announces', () => {
  it('are stored as they arrive on the broker, and read back by runs: the variables as JSON, a secret opened with the runner\'s key', async () => {
    const projectId = await knownProject();
    await setVariable(projectId, 'REGION', 'eu-west', 1);
    await setVariable(projectId, 'LIMITS', { cpu: 2, tags: ['a', 'b'], on: true, none: null }, 1);
    await setVariable(projectId, 'RETRIES', 3, 4);
    await setSecret(projectId, 'TOKEN', 'hunter2 ✓', 1);

    expect(await values().variables(projectId)).toEqual({ LIMITS: { cpu: 2, tags: ['a', 'b'], on: true, none: null }, REGION: 'eu-west', RETRIES: 3 });
    expect(await values().secret(projectId, 'TOKEN')).toBe('hunter2 ✓');
    expect(await values().secret(projectId, 'REGION')).toBeUndefined(); // a variable is not a secret
    expect(await values().variables(await knownProject('empty'))).toEqual({});
  });

  it('keep the secret sealed in the runner\'s database: no plaintext, only the sealed bytes and the key id', async () => {
    const projectId = await knownProject();
    const plaintext = `correct horse battery staple ${randomUUID()}`;
    await setSecret(projectId, 'PASSPHRASE', plaintext, 1);
    const row = await runner.database.db.selectFrom('project_secrets').selectAll().where('project_id', '=', projectId).executeTakeFirstOrThrow();
    expect(row.key_id).toBe(keyIdOf(keys.publicKey));
    expect(row.sealed.length).toBe(32 + Buffer.byteLength(plaintext) + 16);
    expect(row.sealed.includes(Buffer.from(plaintext))).toBe(false);
    const { rows } = await sql<{ found: boolean }>`
      select exists (select 1 from project_secrets where position(convert_to(${plaintext}, 'UTF8') in sealed) > 0) as found`.execute(runner.database.db);
    expect(rows[0]?.found).toBe(false);
    expect(await values().secret(projectId, 'PASSPHRASE')).toBe(plaintext);
  });

  it('ignore a late change with a lower revision, and a redelivery of the same one', async () => {
    const projectId = await knownProject();
    await setVariable(projectId, 'REGION', 'newer', 5);
    await setVariable(projectId, 'REGION', 'older', 4);
    await setSecret(projectId, 'TOKEN', 'newer secret', 7);
    await setSecret(projectId, 'TOKEN', 'older secret', 6);
    await setVariable(projectId, 'REGION', 'same revision, other value', 5);
    expect(await values().variables(projectId)).toEqual({ REGION: 'newer' });
    expect(await values().secret(projectId, 'TOKEN')).toBe('newer secret');
    await setVariable(projectId, 'REGION', 'newest', 6);
    expect(await values().variables(projectId)).toEqual({ REGION: 'newest' });
  });

  it('keep a deleted name deleted when an older set arrives after the deletion, until a newer set', async () => {
    const projectId = await knownProject();
    await setVariable(projectId, 'REGION', 'eu-west', 1);
    await setSecret(projectId, 'TOKEN', 'hunter2', 1);
    await deleteVariable(projectId, 'REGION', 3);
    await deleteSecret(projectId, 'TOKEN', 3);
    await setVariable(projectId, 'REGION', 'late', 2);
    await setSecret(projectId, 'TOKEN', 'late', 2);
    expect(await values().variables(projectId)).toEqual({});
    expect(await values().secret(projectId, 'TOKEN')).toBeUndefined();
    expect(await rowsOf(projectId)).toEqual({
      variables: [], secrets: [],
      tombstones: [{ kind: 'variable', name: 'REGION', revision: 3 }, { kind: 'secret', name: 'TOKEN', revision: 3 }],
    });
    await deleteVariable(projectId, 'NEVER_SET', 1); // a deletion that overtook its set
    await setVariable(projectId, 'NEVER_SET', 'late', 0);
    await setVariable(projectId, 'REGION', 'again', 4);
    expect(await values().variables(projectId)).toEqual({ REGION: 'again' });
  });

  it('say clearly that a secret was sealed for another runner key, naming both keys, and refuse one moved to another name', async () => {
    const projectId = await knownProject();
    const other = generateSealingKeyPair();
    await setSecret(projectId, 'FOREIGN', 'sealed for someone else', 1, other.publicKey);
    await expect(values().secret(projectId, 'FOREIGN')).rejects.toThrow(
      `secret FOREIGN of project ${projectId} was sealed for the runner key ${keyIdOf(other.publicKey)}, but this runner's key is ${keyIdOf(keys.publicKey)}`);
    // Sealed for this runner but bound to another name: it does not open under this one.
    const moved = await sealFor(keys.publicKey, projectId, 'ORIGINAL', 'moved');
    await runner.database.db.insertInto('project_secrets')
      .values({ project_id: projectId, name: 'MOVED', sealed: moved.sealedValue, key_id: moved.keyId, revision: '1', updated_at: new Date() }).execute();
    await expect(values().secret(projectId, 'MOVED')).rejects.toThrow(`secret MOVED of project ${projectId} does not open with the runner key ${keyIdOf(keys.publicKey)}`);
  });

  it('go with their project: its deletion removes every row, and later changes of it are ignored', async () => {
    const projectId = await knownProject();
    const kept = await knownProject('kept');
    for (const id of [projectId, kept]) {
      await setVariable(id, 'REGION', 'eu-west', 1);
      await setSecret(id, 'TOKEN', 'hunter2', 1);
      await deleteVariable(id, 'OLD', 1);
    }
    await deleteProject(projectId);
    expect(await rowsOf(projectId)).toEqual({ variables: [], secrets: [], tombstones: [] });
    await setVariable(projectId, 'REGION', 'after the deletion', 2);
    expect(await rowsOf(projectId)).toEqual({ variables: [], secrets: [], tombstones: [] });
    expect(await rowsOf(kept)).toEqual({
      variables: [{ name: 'REGION', revision: 1 }], secrets: [{ name: 'TOKEN', revision: 1 }], tombstones: [{ kind: 'variable', name: 'OLD', revision: 1 }],
    });
  });

  it('are applied once the runner learns of a project it did not know yet (retried until then)', async () => {
    const projectId = randomUUID();
    const published = asStudio('ProjectVariableSet', studio.ProjectVariableSet.encode(studio.ProjectVariableSet.fromPartial({
      meta: { eventId: randomUUID(), occurredAt: new Date(), projectId, traceId: 't' }, name: 'EARLY', valueJson: '"bird"', revision: '1',
    })).finish());
    await published;
    await runner.database.db.insertInto('projects').values({ id: projectId, name: 'late', created_at: new Date() }).execute();
    await eventually(() => values().variables(projectId), (found) => found['EARLY'] === 'bird');
  });

  it('dead-letter an event they cannot use, without storing it', async () => {
    const projectId = await knownProject();
    const meta = { eventId: randomUUID(), occurredAt: new Date(), projectId, traceId: 't' };
    await asStudio('ProjectVariableSet', studio.ProjectVariableSet.encode(studio.ProjectVariableSet.fromPartial({ meta, name: 'BAD', valueJson: '{not json', revision: '1' })).finish());
    await asStudio('ProjectVariableSet', studio.ProjectVariableSet.encode(studio.ProjectVariableSet.fromPartial({ meta, name: 'NUL', valueJson: '"a\\u0000b"', revision: '1' })).finish());
    await asStudio('ProjectSecretSet', studio.ProjectSecretSet.encode(studio.ProjectSecretSet.fromPartial({ meta, name: 'BAD', sealedValue: Buffer.alloc(60), keyId: 'not-a-key-id', revision: '1' })).finish());
    await asStudio('ProjectVariableDeleted', studio.ProjectVariableDeleted.encode(studio.ProjectVariableDeleted.fromPartial({ meta: { ...meta, projectId: 'nope' }, name: 'X', revision: '1' })).finish());
    await asStudio('ProjectSecretDeleted', studio.ProjectSecretDeleted.encode(studio.ProjectSecretDeleted.fromPartial({ meta, name: 'X', revision: (2n ** 63n).toString() })).finish());
    const dead: unknown[] = [];
    await eventually(async () => {
      dead.push(...(await drainQueue(runner.vhost.url, deadLetterQueueOf(QUEUE))));
      return dead.length;
    }, (count) => count >= 5);
    expect(await rowsOf(projectId)).toEqual({ variables: [], secrets: [], tombstones: [] });
  });
});
