// The project value ports keep the same rules on the fakes and on Postgres, so application
// tests on the fakes say something true.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSealingKeyPair, makeOpener, makeSealer, secretAad } from '@trellis/platform/crypto/sealed-box';
import { createTestDatabase, type TestDatabase } from '@trellis/platform/testing/postgres';
import { aDeletion, aVariableSet, makeFakeProjectValues, makeFakes } from '../src/application/fakes.js';
import type { ProjectValues, Transaction } from '../src/application/ports.js';
import type { Change, JsonValue } from '../src/domain/project-value.js';
import { migrations } from '../src/infrastructure/postgres/migrations.js';
import { makeProjectValues } from '../src/infrastructure/postgres/project-values.js';
import type { Database } from '../src/infrastructure/postgres/schema.js';
import { makeUnitOfWork } from '../src/infrastructure/postgres/unit-of-work.js';

let database: TestDatabase<Database>;
const known = randomUUID();
const other = randomUUID();
const deleted = randomUUID();
beforeAll(async () => {
  database = await createTestDatabase<Database>({ service: 'runner', migrations });
  await database.db.insertInto('projects').values([known, other].map((id) => ({ id, name: id, created_at: new Date() }))).execute();
  await database.db.insertInto('deleted_projects').values({ id: deleted, deleted_at: new Date() }).execute();
});
afterAll(() => database?.close());

const keys = generateSealingKeyPair();
const secretSet = async (projectId: string, name: string, plaintext: string, revision: bigint): Promise<Change> => {
  const sealer = makeSealer(keys.publicKey);
  return { kind: 'secret', type: 'set', projectId, name, revision, changedAt: new Date(), sealed: await sealer.seal(plaintext, secretAad(projectId, name)), keyId: sealer.keyId };
};

const writers: Array<[string, (work: (tx: Transaction) => Promise<void>) => Promise<void>]> = [
  ['the fakes', async (work) => {
    const fakes = makeFakes({ projects: { [known]: 'known', [other]: 'known', [deleted]: 'deleted' } });
    await work(fakes.bind(fakes.state()));
  }],
  ['Postgres', async (work) => {
    await makeUnitOfWork(database.db)(async (tx) => {
      await work(tx);
      return { ok: false, error: 'roll back what the test wrote' } as const;
    });
  }],
];

describe.each(writers)('the project value repository on %s', (_name, withTx) => {
  it('tells a known, an unknown and a deleted project apart', async () => {
    await withTx(async (tx) => {
      expect(await Promise.all([known, randomUUID(), deleted].map((id) => tx.projects.statusForUpdate(id)))).toEqual(['known', 'unknown', 'deleted']);
    });
  });

  it('holds the revision of the last change of each name: a value, then its tombstone, then a value again', async () => {
    await withTx(async (tx) => {
      expect(await tx.values.held(known, 'variable', 'REGION')).toBeUndefined();
      await tx.values.apply(aVariableSet({ projectId: known, revision: 2n ** 60n + 1n }));
      expect(await tx.values.held(known, 'variable', 'REGION')).toEqual({ revision: 2n ** 60n + 1n, deleted: false });
      await tx.values.apply(aDeletion({ projectId: known, revision: 2n ** 60n + 2n }));
      expect(await tx.values.held(known, 'variable', 'REGION')).toEqual({ revision: 2n ** 60n + 2n, deleted: true });
      await tx.values.apply(aVariableSet({ projectId: known, revision: 2n ** 60n + 3n }));
      expect(await tx.values.held(known, 'variable', 'REGION')).toEqual({ revision: 2n ** 60n + 3n, deleted: false });
    });
  });

  it('keeps names apart by project and by kind', async () => {
    await withTx(async (tx) => {
      await tx.values.apply(await secretSet(known, 'REGION', 'x', 7n));
      await tx.values.apply(aDeletion({ projectId: other, revision: 9n }));
      expect(await tx.values.held(known, 'secret', 'REGION')).toEqual({ revision: 7n, deleted: false });
      expect(await tx.values.held(known, 'variable', 'REGION')).toBeUndefined();
      expect(await tx.values.held(other, 'variable', 'REGION')).toEqual({ revision: 9n, deleted: true });
      expect(await tx.values.held(other, 'secret', 'REGION')).toBeUndefined();
    });
  });
});

type Given = { variables: Record<string, Record<string, JsonValue>>; secrets: Record<string, Record<string, string>>; deleted: Array<[string, string]> };

/** The read port over what the given changes left, on each adapter. */
const readers: Array<[string, (given: Given) => Promise<ProjectValues>]> = [
  ['the fakes', async (given) => makeFakeProjectValues(given)],
  ['Postgres', async (given) => {
    const projectIds = [...new Set([...Object.keys(given.variables), ...Object.keys(given.secrets)])];
    const fresh = Object.fromEntries(projectIds.map((id) => [id, randomUUID()]));
    await database.db.insertInto('projects').values(Object.values(fresh).map((id) => ({ id, name: id, created_at: new Date() }))).execute();
    await makeUnitOfWork(database.db)(async (tx) => {
      for (const [projectId, variables] of Object.entries(given.variables)) {
        for (const [name, value] of Object.entries(variables)) await tx.values.apply(aVariableSet({ projectId: fresh[projectId] ?? '', name, value, revision: 1n }));
      }
      for (const [projectId, secrets] of Object.entries(given.secrets)) {
        for (const [name, plaintext] of Object.entries(secrets)) await tx.values.apply(await secretSet(fresh[projectId] ?? '', name, plaintext, 1n));
      }
      for (const [projectId, name] of given.deleted) await tx.values.apply(aDeletion({ projectId: fresh[projectId] ?? '', name, revision: 2n }));
    });
    const values = makeProjectValues(database.db, makeOpener(keys.privateKey));
    const as = (projectId: string) => fresh[projectId] ?? randomUUID();
    return { variables: (projectId) => values.variables(as(projectId)), secret: (projectId, name) => values.secret(as(projectId), name) };
  }],
];

describe.each(readers)('the project values runs read, on %s', (_name, givenValues) => {
  it('give a project\'s variables with their JSON values and its secrets in clear, and nothing of another project', async () => {
    const values = await givenValues({
      variables: { a: { REGION: 'eu-west', LIMITS: { cpu: 2, tags: ['x'] }, RETRIES: 3, DEBUG: false, NOTHING: null }, b: { REGION: 'us-east' } },
      secrets: { a: { TOKEN: 'hunter2 ✓' } },
      deleted: [['a', 'GONE']],
    });
    expect(await values.variables('a')).toEqual({ REGION: 'eu-west', LIMITS: { cpu: 2, tags: ['x'] }, RETRIES: 3, DEBUG: false, NOTHING: null });
    expect(await values.variables('b')).toEqual({ REGION: 'us-east' });
    expect(await values.variables('c')).toEqual({});
    expect(await values.secret('a', 'TOKEN')).toBe('hunter2 ✓');
    expect(await values.secret('b', 'TOKEN')).toBeUndefined();
    expect(await values.secret('a', 'REGION')).toBeUndefined();
    expect(await values.secret('a', 'GONE')).toBeUndefined();
  });
});
