// Build logs on real Postgres and object store: lines in the database while a build runs, moved
// to the store when they grow and when the build ends, read back whole and from any line.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeLogger } from '@trellis/platform/logger';
import { startTestObjectStore, type TestObjectStore } from '@trellis/platform/testing/object-store';
import { createTestDatabase, type TestDatabase } from '@trellis/platform/testing/postgres';
import * as Build from '../src/domain/build.js';
import { makeBuildLogs, readLog } from '../src/infrastructure/postgres/build-log-store.js';
import { makeBuildRepository } from '../src/infrastructure/postgres/build-repository.js';
import { migrations } from '../src/infrastructure/postgres/migrations.js';
import type { Database } from '../src/infrastructure/postgres/schema.js';

let database: TestDatabase<Database>;
let store: TestObjectStore;
beforeAll(async () => {
  [database, store] = await Promise.all([createTestDatabase<Database>({ service: 'action-builder', migrations }), startTestObjectStore()]);
});
afterAll(async () => {
  await Promise.all([database?.close(), store?.close()]);
});

async function aBuild(): Promise<Build.Build> {
  const projectId = randomUUID();
  await database.db.insertInto('projects').values({ id: projectId, name: 'p', created_at: new Date() }).execute();
  const build = Build.request({
    id: randomUUID(), projectId, sourceId: randomUUID(), sourceName: 's', commit: 'c'.repeat(40), folder: '', actionId: 'a', version: '1.0.0',
    sourceObject: 'x', sourceSha256: 'a'.repeat(64), requestedBy: 'ada', imageSites: [], traceId: 't', requestedAt: new Date(),
  });
  await database.db.transaction().execute((trx) => makeBuildRepository(trx).insertIfAbsent(build));
  return build;
}

const logger = makeLogger({ service: 'test', silent: true });
const texts = (page: Awaited<ReturnType<typeof readLog>>) => page?.lines.map((line) => `${line.no}:${line.text}`);

it('keeps every line in order, in the database then in the store, across attempts', async () => {
  const build = await aBuild();
  const logs = makeBuildLogs(database.db, store.store, { maxBytes: 1_000_000, spillBytes: 300, flushMs: 5, logger });
  const log = await logs.open(build);
  for (let n = 1; n <= 40; n++) log.write(`line ${n} ${'x'.repeat(20)}`);
  await log.close();
  const stored = await database.db.selectFrom('builds').select('log_stored_lines').where('id', '=', build.id).executeTakeFirstOrThrow();
  const rows = await database.db.selectFrom('build_log_lines').select('line_no').where('build_id', '=', build.id).execute();
  // Grown past 300 bytes: part of it moved to the store while the build "ran".
  expect(stored.log_stored_lines).toBeGreaterThan(0);
  expect(stored.log_stored_lines + rows.length).toBe(40);
  const whole = await readLog(database.db, store.store, build, 0);
  expect(texts(whole)).toEqual(Array.from({ length: 40 }, (_, index) => `${index + 1}:line ${index + 1} ${'x'.repeat(20)}`));
  expect(texts(await readLog(database.db, store.store, build, 35))?.[0]).toBe(`36:line 36 ${'x'.repeat(20)}`);
  expect(log.tail(30)).toBe(`line 40 ${'x'.repeat(20)}\n`);

  // The next attempt continues the same log; its end moves everything to the store.
  const next = await logs.open({ ...build, attempt: 2 });
  next.write('attempt 2');
  const key = await next.store();
  expect(key).toBe(`action-builder/projects/${build.projectId}/builds/${build.id}/log.txt`);
  expect(await database.db.selectFrom('build_log_lines').select('line_no').where('build_id', '=', build.id).execute()).toEqual([]);
  const text = await new Promise<string>((resolve, reject) => {
    let body = '';
    store.store.client.getObject(store.config.bucket, key).then((stream) => {
      stream.on('data', (chunk: Buffer) => (body += String(chunk)));
      stream.on('end', () => resolve(body));
    }, reject);
  });
  expect(text.split('\n')).toHaveLength(42);
  expect(text.endsWith(`line 40 ${'x'.repeat(20)}\nattempt 2\n`)).toBe(true);
  expect(texts(await readLog(database.db, store.store, build, 39))).toEqual([`40:line 40 ${'x'.repeat(20)}`, '41:attempt 2']);
});

it('stops a log at its size limit and says so', async () => {
  const build = await aBuild();
  const log = await makeBuildLogs(database.db, store.store, { maxBytes: 100, flushMs: 5, logger }).open(build);
  for (let n = 1; n <= 20; n++) log.write(`line ${n}`);
  await log.close();
  const lines = (await readLog(database.db, store.store, build, 0))?.lines.map((line) => line.text) ?? [];
  expect(lines.at(-1)).toBe('[builder] the log reached 100 bytes; later lines are not kept');
  expect(lines.length).toBeLessThan(20);
  expect(lines[0]).toBe('line 1');
});
