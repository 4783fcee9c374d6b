// The files' ports keep the same rules on the fakes and on Postgres (so the application tests on
// the fakes say something true), and the object store adapter streams, hashes and cleans up on
// the real store.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@trellis/platform/testing/postgres';
import { makeCapturingLogger } from '@trellis/platform/testing/log-capture';
import { startTestObjectStore, type TestObjectStore } from '@trellis/platform/testing/object-store';
import { objectNames } from '@trellis/platform/testing/service-harness';
import { makeFakes } from '../src/application/fakes.js';
import type { Transaction } from '../src/application/ports.js';
import type { UploadedFile } from '../src/domain/file.js';
import { makeFileContents } from '../src/infrastructure/object-store/file-contents.js';
import { migrations } from '../src/infrastructure/postgres/migrations.js';
import type { Database } from '../src/infrastructure/postgres/schema.js';
import { makeUnitOfWork } from '../src/infrastructure/postgres/unit-of-work.js';

let database: TestDatabase<Database>;
let s3: TestObjectStore;
const p1 = randomUUID();
const p2 = randomUUID();
beforeAll(async () => {
  [database, s3] = await Promise.all([createTestDatabase<Database>({ service: 'studio', migrations }), startTestObjectStore()]);
  await database.db.insertInto('projects').values([p1, p2].map((id) => ({ id, name: id, created_at: new Date() }))).execute();
});
afterAll(() => Promise.all([database?.close(), s3?.close()]));

const adapters: Array<[string, (work: (tx: Transaction) => Promise<void>) => Promise<void>]> = [
  ['the fakes', async (work) => {
    const fakes = makeFakes({ projects: { [p1]: 'known', [p2]: 'known' } });
    await work(fakes.bind(fakes.state()));
  }],
  ['Postgres', async (work) => {
    await makeUnitOfWork(database.db)(async (tx) => {
      await work(tx);
      return { ok: false, error: 'roll back what the test wrote' } as const;
    });
  }],
];

function aFile(projectId: string, overrides: Partial<UploadedFile> = {}): UploadedFile {
  const id = randomUUID();
  return {
    id, projectId, name: 'photo.png', contentType: 'image/png', size: 5_000_000_000, sha256: 'a'.repeat(64),
    object: `studio/projects/${projectId}/files/${id}`, createdAt: new Date('2026-12-01T10:00:00Z'), createdBy: 'u1', ...overrides,
  };
}

describe.each(adapters)('the files port on %s', (_name, withTx) => {
  it('keeps a file as given, finds it within its project only, and deletes exactly it', async () => {
    await withTx(async (tx) => {
      const file = aFile(p1);
      const same = aFile(p1, { name: 'photo.png' });
      await tx.files.insert(file);
      await tx.files.insert(same);
      expect(await tx.files.findForUpdate(p1, file.id)).toEqual(file);
      expect(await tx.files.findForUpdate(p2, file.id)).toBeUndefined();
      expect(await tx.files.findForUpdate(p1, 'not-a-uuid')).toBeUndefined();
      expect(await tx.files.delete(p2, file.id)).toBe(false);
      expect(await tx.files.delete(p1, 'not-a-uuid')).toBe(false);
      expect(await tx.files.delete(p1, file.id)).toBe(true);
      expect(await tx.files.delete(p1, file.id)).toBe(false);
      expect(await tx.files.findForUpdate(p1, same.id)).toEqual(same);
    });
  });

  it('say which of some ids name the project\'s files (anything else names none), and lock those', async () => {
    await withTx(async (tx) => {
      const [a, b] = [aFile(p1), aFile(p1)].sort((x, y) => (x.id < y.id ? -1 : 1));
      if (!a || !b) throw new Error('no files');
      const theirs = aFile(p2);
      for (const file of [a, b, theirs]) await tx.files.insert(file);
      const asked = [b.id, a.id, theirs.id, randomUUID(), 'f1', '', a.id.toUpperCase(), a.id];
      expect(await tx.files.existing(p1, asked)).toEqual([a.id, b.id]);
      expect(await tx.files.existing(p1, [])).toEqual([]);
      expect(await tx.files.existing(p1, ['f1'])).toEqual([]);
      expect(await tx.files.findForShare(p1, asked)).toEqual([a, b]);
      expect(await tx.files.findForShare(p2, asked)).toEqual([theirs]);
      expect(await tx.files.findForShare(p1, [])).toEqual([]);
    });
  });
});

describe('files on Postgres', () => {
  it('go with their project', async () => {
    const doomed = randomUUID();
    await database.db.insertInto('projects').values({ id: doomed, name: 'doomed', created_at: new Date() }).execute();
    await makeUnitOfWork(database.db)(async (tx) => tx.files.insert(aFile(doomed)));
    const count = async () => (await database.db.selectFrom('files').select('id').where('project_id', '=', doomed).execute()).length;
    expect(await count()).toBe(1);
    await database.db.deleteFrom('projects').where('id', '=', doomed).execute();
    expect(await count()).toBe(0);
  });
});

async function* inChunks(bytes: Buffer, size: number, failAt?: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) {
    if (failAt !== undefined && at >= failAt) throw new Error('the client went away');
    yield bytes.subarray(at, at + size);
  }
}

const PART = 5 * 1024 * 1024;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function read(object: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await makeFileContents(s3.store).read(object)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('file contents in the object store', () => {
  it.each([
    ['a small file, in one PUT', 1000],
    ['exactly one part', PART],
    ['several parts and a last short one', 2 * PART + 12_345],
  ])('stores %s as it streams, with its size and SHA-256, under the project\'s prefix', async (_case, size) => {
    const contents = makeFileContents(s3.store, { partSize: PART });
    const bytes = randomBytes(size);
    const fileId = randomUUID();
    const stored = await contents.store({ projectId: p1, fileId, contentType: 'image/png' }, inChunks(bytes, 64 * 1024));
    expect(stored).toEqual({ object: `studio/projects/${p1}/files/${fileId}`, size, sha256: sha256(bytes) });
    expect((await read(stored.object)).equals(bytes)).toBe(true);
    expect((await s3.store.client.statObject(s3.store.bucket, stored.object)).metaData['content-type']).toBe('image/png');
    await contents.remove(stored.object);
    await contents.remove(stored.object);
    expect(await objectNames(s3)).not.toContain(stored.object);
  });

  it.each([
    ['before the first part', 100_000],
    ['after parts were sent', 2 * PART + 64 * 1024],
  ])('leaves no object when the content fails %s, and throws the content\'s error as it was', async (_case, failAt) => {
    const { logger, lines } = makeCapturingLogger('studio');
    const contents = makeFileContents(s3.store, { partSize: PART, logger });
    const before = await objectNames(s3);
    const fileId = randomUUID();
    const content = inChunks(randomBytes(3 * PART), 64 * 1024, failAt);
    await expect(contents.store({ projectId: p1, fileId, contentType: 'application/octet-stream' }, content)).rejects.toThrow('the client went away');
    expect(await objectNames(s3)).toEqual(before);
    // s3rver cannot abort a multipart upload (S3 and Minio do): then the parts it keeps are logged, nothing else.
    expect(lines.filter((line) => line.includes('a failed upload left data')).length).toBeLessThanOrEqual(failAt > PART ? 1 : 0);
  });
});
