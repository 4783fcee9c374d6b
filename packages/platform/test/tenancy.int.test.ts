// Tenancy once for the four services that follow it (studio, repository, action-builder,
// runner): a demo service started by the same startTenantService, fed authorization's events
// encoded from the source contract (protos/authorization/v1/events.proto), on a real database,
// broker vhost and object store. The port contract runs on the fakes and on Postgres alike.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { deadLetterQueueOf } from '@trellis/platform/amqp/topology';
import { generateApiKey, makeReplicatedApiKeys } from '@trellis/platform/auth/api-keys';
import { loadConfig, objectStoreEnvShape, tenantServiceEnvShape } from '@trellis/platform/config';
import { makeObjectStore, makeProjectObjects, objectStoreConfigFromEnv, projectPrefix } from '@trellis/platform/object-store';
import { createMessagingTables, type MessagingTables } from '@trellis/platform/postgres/messaging-tables';
import type { Migrations } from '@trellis/platform/postgres/migrate';
import type { AuthorizationMessages } from '@trellis/platform/tenancy/codecs';
import type { ApiKeyRevocation, IssuedApiKey, KnownProjects, ReplicatedApiKeys } from '@trellis/platform/tenancy/model';
import { createDeletedProjectsTable, createKnownProjectsTable, makeApiKeyReplica, makeKnownProjects, type TenancyTables } from '@trellis/platform/tenancy/postgres';
import { declareServiceTopology, eventsQueueOf, startTenantService } from '@trellis/platform/tenancy/tenant-service';
import { createApiKeysTable } from '@trellis/platform/auth/api-keys';
import { drainQueue } from '@trellis/platform/testing/amqp';
import { eventually } from '@trellis/platform/testing/eventually';
import { handled as handledOn, objectNames, publishAs, putObjects, useServiceUnderTest } from '@trellis/platform/testing/service-harness';
import { makeFakeApiKeys, makeFakeProjects } from '@trellis/platform/testing/tenancy';

const SERVICE = 'demo';
const RETRY_DELAYS_MS = [200, 400, 800, 1600, 3200]; // about 6 s: room to take the store away and bring it back before a dead letter
const API_KEY_CACHE_MS = 300;
const QUEUE = eventsQueueOf(SERVICE, RETRY_DELAYS_MS);
const DEAD_LETTERS = deadLetterQueueOf(QUEUE.name);

type Database = MessagingTables & TenancyTables;
const migrations: Migrations = {
  '0001_tenancy': {
    up: async (db) => {
      await createMessagingTables(db);
      await createKnownProjectsTable(db);
      await createApiKeysTable(db);
      await createDeletedProjectsTable(db);
    },
  },
};

// ---- authorization's events, from the source contract, through protobufjs reflection ----
const root = protobuf.loadSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../protos/authorization/v1/events.proto'));
const typeOf = (name: string) => root.lookupType(`trellis.authorization.v1.${name}`);
const toTimestamp = (date: Date) => ({ seconds: Math.floor(date.getTime() / 1000), nanos: (date.getTime() % 1000) * 1e6 });
const fromTimestamp = (value: unknown): Date | undefined => {
  if (!value || typeof value !== 'object') return undefined;
  const { seconds, nanos } = value as { seconds?: unknown; nanos?: unknown };
  return new Date(Number(seconds ?? 0) * 1000 + Math.floor(Number(nanos ?? 0) / 1e6));
};

/** Decoders shaped as a service's generated code (ts-proto: camelCase fields, Timestamps as Dates). */
function reflected(name: string) {
  const type = typeOf(name);
  return {
    decode: (bytes: Uint8Array) => {
      const object = type.toObject(type.decode(bytes), { longs: String, defaults: true }) as Record<string, unknown>;
      const meta = object['meta'] as Record<string, unknown> | undefined;
      return {
        ...object,
        meta: meta ? { ...meta, occurredAt: fromTimestamp(meta['occurredAt']) } : undefined,
        expiresAt: fromTimestamp(object['expiresAt']),
      };
    },
  };
}
const messages = {
  ProjectCreated: reflected('ProjectCreated'), ProjectDeleted: reflected('ProjectDeleted'),
  ApiKeyIssued: reflected('ApiKeyIssued'), ApiKeyRevoked: reflected('ApiKeyRevoked'),
} as unknown as AuthorizationMessages;

function encode(name: string, fields: Record<string, unknown>, projectId: string, occurredAt: Date | null = new Date()): Uint8Array {
  const meta = occurredAt === null ? undefined : { eventId: randomUUID(), occurredAt: toTimestamp(occurredAt), projectId, traceId: 'trace' };
  const type = typeOf(name);
  return type.encode(type.fromObject({ ...fields, ...(meta ? { meta } : {}) })).finish();
}

const TYPES = {
  projectCreated: 'trellis.authorization.v1.ProjectCreated',
  projectDeleted: 'trellis.authorization.v1.ProjectDeleted',
  apiKeyIssued: 'trellis.authorization.v1.ApiKeyIssued',
  apiKeyRevoked: 'trellis.authorization.v1.ApiKeyRevoked',
} as const;

const events = {
  projectCreated: (projectId: string, name: string, occurredAt?: Date | null) => encode('ProjectCreated', { projectId, name, createdBy: randomUUID() }, projectId, occurredAt),
  projectDeleted: (projectId: string) => encode('ProjectDeleted', { projectId, deletedBy: randomUUID() }, projectId),
  apiKeyIssued: (key: { keyId: string; projectId: string; sha256: string; role?: string }) =>
    encode('ApiKeyIssued', { keyId: key.keyId, projectId: key.projectId, role: key.role ?? 'viewer', secretSha256: key.sha256 }, key.projectId),
  apiKeyRevoked: (key: { keyId: string; projectId: string }, occurredAt?: Date | null) => encode('ApiKeyRevoked', { keyId: key.keyId, projectId: key.projectId }, key.projectId, occurredAt),
};

// ---- the demo service ----
const envSchema = z.object({ ...tenantServiceEnvShape(0), ...objectStoreEnvShape });

const service = useServiceUnderTest<Database>({
  service: SERVICE,
  migrations,
  objectStore: true,
  declareTopology: (channel) => declareServiceTopology(channel, SERVICE, QUEUE),
  env: { TRELLIS_API_KEY_CACHE_MS: String(API_KEY_CACHE_MS), TRELLIS_MESSAGE_RETRY_DELAYS_MS: RETRY_DELAYS_MS.join(',') },
  start: (raw, logger) => {
    const env = loadConfig(envSchema, raw);
    return startTenantService<Database>({
      service: SERVICE, title: 'the demo service', operationPrefix: 'demo', basePath: '/demo', env, options: { version: 'test', logger },
      queue: QUEUE, messages,
      wire: () => {
        const store = makeObjectStore(objectStoreConfigFromEnv(env));
        const objects = makeProjectObjects(store, SERVICE);
        return {
          deleteProjectData: async (projectId) => ({ objects_deleted: (await objects.deleteAll(projectId)).deleted }),
          readiness: [{ name: 'object store', check: store.check }],
        };
      },
    });
  },
});

const publish = (type: string, content: Uint8Array, messageId?: string) => publishAs(service.vhost.url, 'authorization', type, content, messageId);
const handled = async (published: Promise<{ messageId: string }> | { messageId: string }) => handledOn(service.database.db, QUEUE.name, await published);
const projectRows = (id: string) => service.database.db.selectFrom('projects').selectAll().where('id', '=', id).execute();
const keyRows = (projectId: string) => service.database.db.selectFrom('api_keys').selectAll().where('project_id', '=', projectId).execute();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function knownProject(name = 'a project', occurredAt = new Date()): Promise<string> {
  const id = randomUUID();
  await handled(publish(TYPES.projectCreated, events.projectCreated(id, name, occurredAt)));
  return id;
}

async function issuedKey(projectId: string, role = 'developer') {
  const { key, sha256 } = generateApiKey();
  const keyId = randomUUID();
  await handled(publish(TYPES.apiKeyIssued, events.apiKeyIssued({ keyId, projectId, sha256, role })));
  return { key, sha256, keyId };
}

describe('a tenant service consuming authorization\'s events', () => {
  it('records an announced project once, even when the message is delivered twice or replayed', async () => {
    const id = randomUUID();
    const content = events.projectCreated(id, 'twice');
    const messageId = randomUUID();
    await publish(TYPES.projectCreated, content, messageId);
    await publish(TYPES.projectCreated, content, messageId);
    await handled({ messageId });
    await handled(publish(TYPES.projectCreated, events.projectCreated(id, 'renamed in a replay')));
    const rows = await projectRows(id);
    expect(rows.map(({ id: rowId, name }) => ({ id: rowId, name }))).toEqual([{ id, name: 'twice' }]);
    expect(await service.database.db.selectFrom('inbox').select('message_id').where('message_id', '=', messageId).execute()).toHaveLength(1);
  });

  it('replicates an issued key, and a revocation ends it', async () => {
    const projectId = await knownProject();
    const { sha256, keyId } = await issuedKey(projectId);
    const keys = makeReplicatedApiKeys(service.database.db);
    expect(await keys.lookup(sha256)).toEqual({ keyId, projectId, role: 'developer', expiresAt: null, revokedAt: null });
    await handled(publish(TYPES.apiKeyRevoked, events.apiKeyRevoked({ keyId, projectId })));
    expect((await keys.lookup(sha256))?.revokedAt).toBeInstanceOf(Date);
  });

  it('keeps a key revoked when its revocation arrives before its announcement', async () => {
    const projectId = await knownProject();
    const { sha256 } = generateApiKey();
    const keyId = randomUUID();
    await handled(publish(TYPES.apiKeyRevoked, events.apiKeyRevoked({ keyId, projectId })));
    await handled(publish(TYPES.apiKeyIssued, events.apiKeyIssued({ keyId, projectId, sha256 })));
    const rows = await keyRows(projectId);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.revoked_at).toBeInstanceOf(Date);
    expect(await makeReplicatedApiKeys(service.database.db).lookup(sha256)).toBeUndefined();
  });

  it('deletes every row and every object of a deleted project, and nothing of another project or service', async () => {
    const doomed = await knownProject('doomed');
    const kept = await knownProject('kept');
    for (const projectId of [doomed, kept]) {
      await issuedKey(projectId);
      await issuedKey(projectId);
    }
    const doomedObjects = [`demo/projects/${doomed}/sources/one.tar.gz`, `demo/projects/${doomed}/a/b/c.bin`, `demo/projects/${doomed}/x.txt`];
    const keptObjects = [`demo/projects/${kept}/sources/one.tar.gz`, `elsewhere/projects/${doomed}/not-under-the-prefix.txt`, `runner/projects/${doomed}/another-service-owns-this.txt`];
    await putObjects(service.store, [...doomedObjects, ...keptObjects]);

    await handled(publish(TYPES.projectDeleted, events.projectDeleted(doomed)));
    expect(await projectRows(doomed)).toEqual([]);
    expect(await keyRows(doomed)).toEqual([]);
    expect(await objectNames(service.store)).toEqual([...keptObjects].sort());
    expect(await projectRows(kept)).toHaveLength(1);
    expect(await keyRows(kept)).toHaveLength(2);

    // A second deletion is harmless; a late announcement or key does not bring the project back.
    await handled(publish(TYPES.projectDeleted, events.projectDeleted(doomed)));
    await handled(publish(TYPES.projectCreated, events.projectCreated(doomed, 'doomed')));
    await handled(publish(TYPES.apiKeyIssued, events.apiKeyIssued({ keyId: randomUUID(), projectId: doomed, sha256: generateApiKey().sha256 })));
    expect(await projectRows(doomed)).toEqual([]);
    expect(await keyRows(doomed)).toEqual([]);
    expect(await objectNames(service.store)).toEqual([...keptObjects].sort());
    expect(await drainQueue(service.vhost.url, DEAD_LETTERS)).toEqual([]);
  });

  it('retries a deletion while the object store is unreachable, leaving the rows until the objects are gone', async () => {
    const projectId = await knownProject('unlucky');
    await issuedKey(projectId);
    const objects = [`demo/projects/${projectId}/a.txt`, `demo/projects/${projectId}/b/c.txt`];
    await putObjects(service.store, objects);

    await service.storeProxy.cut();
    const deletion = await publish(TYPES.projectDeleted, events.projectDeleted(projectId));
    try {
      await sleep(800); // the first attempts fail and are rolled back
      expect(await projectRows(projectId)).toHaveLength(1);
      expect(await keyRows(projectId)).toHaveLength(1);
      expect((await objectNames(service.store)).filter((name) => name.includes(projectId))).toEqual(objects);
      expect(await service.database.db.selectFrom('inbox').select('message_id').where('message_id', '=', deletion.messageId).execute()).toEqual([]);
    } finally {
      await service.storeProxy.restore();
    }
    await handled(deletion);
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
      ['ProjectCreated without occurred_at', TYPES.projectCreated, events.projectCreated(projectId, 'x', null)],
      ['ProjectDeleted with a bad project id', TYPES.projectDeleted, events.projectDeleted('1234')],
      ['ApiKeyIssued with an unknown role', TYPES.apiKeyIssued, events.apiKeyIssued({ ...key, role: 'admin' })],
      ['ApiKeyIssued with a short hash', TYPES.apiKeyIssued, events.apiKeyIssued({ ...key, sha256: 'abc123' })],
      ['ApiKeyIssued with a non-hex hash', TYPES.apiKeyIssued, events.apiKeyIssued({ ...key, sha256: 'z'.repeat(64) })],
      ['ApiKeyIssued with a bad key id', TYPES.apiKeyIssued, events.apiKeyIssued({ ...key, keyId: 'key-1' })],
      ['ApiKeyRevoked with a bad project id', TYPES.apiKeyRevoked, events.apiKeyRevoked({ ...key, projectId: '' })],
      ['ApiKeyRevoked without occurred_at', TYPES.apiKeyRevoked, events.apiKeyRevoked(key, null)],
      ['bytes that are not protobuf', TYPES.apiKeyIssued, Buffer.from([0xff, 0xff, 0xff, 0x13])],
    ];
    const sent = new Map<string, string>();
    for (const [what, type, content] of bad) sent.set((await publish(type, content)).messageId, what);

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
  });
});

describe('GET <service>/project', () => {
  async function getProject(credential?: string) {
    const response = await fetch(`${service.base}/project`, { headers: credential ? { authorization: `Bearer ${credential}` } : {} });
    return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
  }

  it('refuses a caller without credentials', async () => {
    const answer = await getProject();
    expect(answer.status).toBe(401);
    expect(answer.body['code']).toBe('unauthenticated');
  });

  it('answers a member the project the service knows', async () => {
    const announcedAt = new Date();
    const id = await knownProject('demo project', announcedAt);
    const answer = await getProject(await service.jwks.sign({ projectId: id, role: 'viewer' }));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ id, name: 'demo project', created_at: announcedAt.toISOString() });
  });

  it('answers 404 project_not_found for a project the service has not been told about', async () => {
    const answer = await getProject(await service.jwks.sign({ projectId: randomUUID(), role: 'owner' }));
    expect(answer.status).toBe(404);
    expect(answer.type).toContain('application/problem+json');
    expect(answer.body['code']).toBe('project_not_found');
    expect(answer.body['detail']).toContain('The demo service does not know this project');
  });

  it('accepts a replicated API key, and refuses it once revoked and the cache has expired', async () => {
    const projectId = await knownProject('keyed');
    const { key, keyId } = await issuedKey(projectId, 'viewer');
    const accepted = await getProject(key);
    expect(accepted.status).toBe(200);
    expect(accepted.body['id']).toBe(projectId);

    await handled(publish(TYPES.apiKeyRevoked, events.apiKeyRevoked({ keyId, projectId })));
    await sleep(API_KEY_CACHE_MS + 100);
    const refused = await getProject(key);
    expect(refused.status).toBe(401);
    expect(refused.body['code']).toBe('unauthenticated');
  });

  it('describes the route with its access in OpenAPI', async () => {
    const doc = (await (await fetch(`${service.base}/openapi.json`)).json()) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    const operation = doc.paths['/demo/project']?.['get'];
    expect(operation?.['operationId']).toBe('demoGetProject');
    expect(operation?.['x-trellis-access']).toEqual({ kind: 'project', role: 'viewer' });
  });
});

describe('project objects', () => {
  it('removes every object under the service\'s project prefix, batch after batch, and nothing else', async () => {
    const projectId = randomUUID();
    const other = randomUUID();
    const mine = Array.from({ length: 7 }, (_, i) => `demo/projects/${projectId}/dir-${i % 3}/object-${i}.bin`);
    const theirs = [`demo/projects/${other}/object.bin`, `demo/projects/${projectId}.txt`, `demo/projects/${projectId}`, `runner/projects/${projectId}/x`];
    const before = await objectNames(service.store);
    await putObjects(service.store, [...mine, ...theirs]);
    const objects = makeProjectObjects(service.store.store, SERVICE, { batchSize: 3 });
    expect(await objects.deleteAll(projectId)).toEqual({ deleted: 7 });
    expect(await objectNames(service.store)).toEqual([...before, ...theirs].sort());
    expect(await objects.deleteAll(projectId)).toEqual({ deleted: 0 });
  });

  it('refuses to form a prefix from anything but a service name and a lowercase project id', () => {
    expect(projectPrefix('action-builder', '0b3c0a5e-8d7f-4b8e-9a51-6a1f1c2d3e4f')).toBe('action-builder/projects/0b3c0a5e-8d7f-4b8e-9a51-6a1f1c2d3e4f/');
    for (const bad of ['', '*', '../x', '0B3C0A5E-8D7F-4B8E-9A51-6A1F1C2D3E4F', 'projects']) expect(() => projectPrefix('demo', bad)).toThrow();
    for (const bad of ['', '../demo', 'Demo', 'a/b']) expect(() => projectPrefix(bad, '0b3c0a5e-8d7f-4b8e-9a51-6a1f1c2d3e4f')).toThrow();
  });
});

// ---- the port contract: the fakes and the Postgres adapters keep the same rules ----
type Ports = { projects: KnownProjects; apiKeys: ReplicatedApiKeys; keys: () => Promise<Array<{ keyId: string; revokedAt: Date | null }>> };

const adapters: Array<[string, (work: (ports: Ports) => Promise<void>) => Promise<void>]> = [
  ['the fakes', async (work) => {
    const projects = makeFakeProjects();
    const apiKeys = makeFakeApiKeys();
    await work({ projects, apiKeys, keys: async () => apiKeys.all().map(({ keyId, revokedAt }) => ({ keyId, revokedAt })) });
  }],
  ['Postgres', async (work) => {
    await service.database.db.transaction().execute(async (trx) => {
      await work({
        projects: makeKnownProjects(trx),
        apiKeys: makeApiKeyReplica(trx),
        keys: async () => (await trx.selectFrom('api_keys').select(['key_id', 'revoked_at']).where('key_id', 'in', [k1, k2]).orderBy('key_id').execute())
          .map((row) => ({ keyId: row.key_id, revokedAt: row.revoked_at })),
      });
    });
  }],
];

const p1 = randomUUID();
const k1 = '00000000-0000-4000-8000-000000000001';
const k2 = '00000000-0000-4000-8000-000000000002';
const t1 = new Date('2026-11-01T10:00:00Z');
const t2 = new Date('2026-11-02T10:00:00Z');
const issued = (keyId: string): IssuedApiKey => ({ keyId, projectId: p1, role: 'viewer', secretSha256: keyId.replaceAll('-', '').padEnd(64, 'a'), expiresAt: null });
const revocation = (keyId: string, revokedAt: Date): ApiKeyRevocation => ({ keyId, projectId: p1, revokedAt });

describe.each(adapters)('the tenancy ports on %s', (_name, withPorts) => {
  it('insert a project once, forget it with a tombstone, and report whether it was known', async () => {
    await withPorts(async ({ projects }) => {
      expect(await projects.insertIfAbsent({ id: p1, name: 'one', createdAt: t1 })).toBe(true);
      expect(await projects.insertIfAbsent({ id: p1, name: 'again', createdAt: t2 })).toBe(false);
      expect(await projects.wasDeleted(p1)).toBe(false);
      expect(await projects.forget(p1, t2)).toEqual({ wasKnown: true });
      expect(await projects.forget(p1, t2)).toEqual({ wasKnown: false });
      expect(await projects.wasDeleted(p1)).toBe(true);
    });
  });

  it('keep the first announcement and the first revocation of a key, in any order', async () => {
    await withPorts(async ({ apiKeys, keys }) => {
      await apiKeys.record(issued(k1));
      await apiKeys.record({ ...issued(k1), role: 'owner' });
      await apiKeys.revoke(revocation(k2, t1));
      await apiKeys.record(issued(k2));
      await apiKeys.revoke(revocation(k2, t2));
      expect(await keys()).toEqual([{ keyId: k1, revokedAt: null }, { keyId: k2, revokedAt: t1 }]);
      await apiKeys.deleteProject(p1);
      expect(await keys()).toEqual([]);
    });
  });
});
