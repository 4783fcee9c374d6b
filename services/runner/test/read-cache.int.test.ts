// The read cache on real Postgres: what it keeps is read again once a commit changes it (the
// triggers of migration 0007 and the LISTEN connection), with a TTL far too long to hide a
// missing notice.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSealingKeyPair, makeOpener } from '@trellis/platform/crypto/sealed-box';
import { makeLogger } from '@trellis/platform/logger';
import { createTestDatabase, type TestDatabase } from '@trellis/platform/testing/postgres';
import { aDocument, aPinnedAction, aVariableSet } from '../src/application/fakes.js';
import type { Deployment } from '../src/domain/deployment.js';
import { migrations } from '../src/infrastructure/postgres/migrations.js';
import { makeProjectValues } from '../src/infrastructure/postgres/project-values.js';
import { makeRunQueries } from '../src/infrastructure/postgres/run-queries.js';
import { makeRunStore } from '../src/infrastructure/postgres/run-store.js';
import type { Database } from '../src/infrastructure/postgres/schema.js';
import { makeUnitOfWork } from '../src/infrastructure/postgres/unit-of-work.js';
import { cachingServedAt, cachingServingVersion, cachingVariables, startReadCache } from '../src/infrastructure/read-cache.js';

let database: TestDatabase<Database>;
let reads: ReturnType<typeof startReadCache>;
const projectId = randomUUID();
const workflowId = randomUUID();
const HOUR = 3_600_000;

beforeAll(async () => {
  database = await createTestDatabase<Database>({ service: 'runner', migrations });
  await database.db.insertInto('projects').values({ id: projectId, name: 'shop', created_at: new Date() }).execute();
  reads = startReadCache({ connectionString: database.url, logger: makeLogger({ service: 'test', silent: true }), ttlMs: HOUR });
});
afterAll(async () => {
  await reads?.stop();
  await database?.close();
});

/** Counts what reaches the database behind a cached read. */
function counted<A extends unknown[], R>(read: (...args: A) => Promise<R>) {
  const counter = { reads: 0, read: async (...args: A) => { counter.reads += 1; return read(...args); } };
  return counter;
}

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Once the listener is up, a second read is served from memory. */
async function keeping(read: () => Promise<unknown>, counter: { reads: number }): Promise<void> {
  await eventually(async () => {
    await read();
    const before = counter.reads;
    await read();
    return counter.reads === before;
  }, (kept) => kept, 'the cache keeping');
}

async function deploy(version: number, path: string | null): Promise<void> {
  const actions = [aPinnedAction()];
  await makeUnitOfWork(database.db)(async (tx) => {
    await tx.deployments.recordVersion({
      workflowId, version, projectId, name: 'add-ten', checksum: 'c'.repeat(64), documentJson: aDocument(path ?? 'add-ten', actions), actions, files: [], site: 'local', receivedAt: new Date(),
    });
    const deployment: Deployment = {
      workflowId, projectId, name: 'add-ten', version, deploymentId: randomUUID(), status: path === null ? 'undeployed' : 'active', mode: null, reason: '',
      servingVersion: path === null ? null : version, triggerType: path === null ? null : 'http', httpPath: path, traceId: 't', updatedAt: new Date(),
    };
    await tx.deployments.save(deployment);
  });
}

describe('the read cache on Postgres', () => {
  it('reads a project\'s variables again after a change commits', async () => {
    const values = makeProjectValues(database.db, makeOpener(generateSealingKeyPair().privateKey));
    const counter = counted(values.variables);
    const cached = cachingVariables({ ...values, variables: counter.read }, reads.cache);
    await makeUnitOfWork(database.db)(async (tx) => tx.values.apply(aVariableSet({ projectId, name: 'REGION', value: 'eu', revision: 1n })));
    await keeping(() => cached.variables(projectId), counter);
    expect(await cached.variables(projectId)).toEqual({ REGION: 'eu' });

    await makeUnitOfWork(database.db)(async (tx) => tx.values.apply(aVariableSet({ projectId, name: 'REGION', value: 'us', revision: 2n })));
    expect(await eventually(() => cached.variables(projectId), (seen) => seen['REGION'] === 'us', 'REGION')).toEqual({ REGION: 'us' });
  });

  it('reads the serving version and the served path again after a deployment changes', async () => {
    await deploy(1, 'add-ten');
    const store = makeRunStore(database.db, { processId: randomUUID(), leaseMs: 10_000 });
    const serving = counted(store.servingVersion);
    const cachedStore = cachingServingVersion({ ...store, servingVersion: serving.read }, reads.cache);
    const queries = makeRunQueries(database.db);
    const served = counted(queries.servedAt);
    const cachedQueries = cachingServedAt({ servedAt: served.read }, reads.cache);
    await keeping(() => cachedStore.servingVersion(workflowId), serving);
    await keeping(() => cachedQueries.servedAt('shop', 'add-ten'), served);
    expect(await cachedStore.servingVersion(workflowId)).toEqual({ projectId, version: 1 });

    await deploy(2, 'add-twenty');
    await eventually(() => cachedStore.servingVersion(workflowId), (seen) => seen?.version === 2, 'the serving version');
    expect(await eventually(() => cachedQueries.servedAt('shop', 'add-ten'), (seen) => seen === undefined, 'the old path')).toBeUndefined();
    expect((await cachedQueries.servedAt('shop', 'add-twenty'))?.version).toBe(2);

    await deploy(3, null);
    expect(await eventually(() => cachedStore.servingVersion(workflowId), (seen) => seen === undefined, 'no serving version')).toBeUndefined();
  });

  it('forgets what a deleted project served', async () => {
    await deploy(4, 'add-ten');
    const queries = makeRunQueries(database.db);
    const served = counted(queries.servedAt);
    const cachedQueries = cachingServedAt({ servedAt: served.read }, reads.cache);
    await keeping(() => cachedQueries.servedAt('shop', 'add-ten'), served);
    await database.db.deleteFrom('deployments').where('project_id', '=', projectId).execute();
    await database.db.deleteFrom('projects').where('id', '=', projectId).execute();
    expect(await eventually(() => cachedQueries.servedAt('shop', 'add-ten'), (seen) => seen === undefined, 'the deleted project\'s path')).toBeUndefined();
  });
});
