// Where a trigger resumes after a redeploy (issue 19), on Postgres: lastTriggerEvent gives the
// newest event of the workflow started under any version whose trigger is the same action
// (whatever its version) with the same inputs as written, and agrees case by case with the
// domain's rule (trigger-cursor.ts) that the application's tests use on their fakes.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonValue } from '@trellis/kernel/io';
import { createTestDatabase, type TestDatabase } from '@trellis/platform/testing/postgres';
import { sameCursorScope, type TriggerCursorScope } from '../src/domain/trigger-cursor.js';
import { migrations } from '../src/infrastructure/postgres/migrations.js';
import type { Database } from '../src/infrastructure/postgres/schema.js';
import { lastTriggerEvent } from '../src/infrastructure/postgres/trigger-queries.js';

let database: TestDatabase<Database>;
const projectId = randomUUID();
beforeAll(async () => {
  database = await createTestDatabase<Database>({ service: 'runner', migrations });
  await database.db.insertInto('projects').values({ id: projectId, name: projectId, created_at: new Date() }).execute();
});
afterAll(() => database?.close());

const db = () => database.db;

/** Records version `version` of the workflow with this trigger (the action reference as pinned, its inputs as written). */
async function aVersion(workflowId: string, version: number, trigger: { action: string; inputs?: JsonValue }): Promise<void> {
  const document = { apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'w', trigger: { type: 'action', ...trigger }, steps: [] };
  await db().insertInto('deployed_versions').values({
    workflow_id: workflowId, version, project_id: projectId, name: 'w', checksum: 'c'.repeat(64), document: JSON.stringify(document),
    actions: '[]', files: '[]', received_at: new Date(),
  }).execute();
}

let clock = Date.parse('2026-12-01T10:00:00Z');
/** A run of that version, created after every earlier one; a trigger event's by default. */
async function aRun(workflowId: string, version: number, outputs: Record<string, JsonValue>, how: { key?: string | null; type?: 'action' | 'http'; rerunOf?: string } = {}): Promise<string> {
  const id = randomUUID();
  await db().insertInto('runs').values({
    id, project_id: projectId, workflow_id: workflowId, version, status: 'succeeded', trigger_type: how.type ?? 'action', trigger_outputs: JSON.stringify(outputs),
    results: null, error: null, owner: null, owner_epoch: '0', idempotency_key: how.key === undefined ? `trigger:${workflowId}:${id}` : how.key,
    created_at: new Date((clock += 1000)), started_at: null, finished_at: null, rerun_of: how.rerunOf ?? null,
  }).execute();
  return id;
}

const watched = { url: 'https://example.com/status', interval_seconds: 60 };

describe('lastTriggerEvent on Postgres', () => {
  it('resumes a redeploy from the earlier versions with the same action (any version of it) and inputs (in any order), the newest first', async () => {
    const w = randomUUID();
    await aVersion(w, 1, { action: 'poll-http@1.0.0', inputs: watched });
    await aVersion(w, 2, { action: 'poll-http@1.0.0', inputs: { ...watched, url: 'https://example.com/other' } });
    await aVersion(w, 3, { action: 'poll-http@1.1.0', inputs: { interval_seconds: 60, url: watched.url } });
    await aRun(w, 1, { hash: 'a' });
    await aRun(w, 1, { hash: 'b' });
    await aRun(w, 2, { hash: 'other' });
    const scope = { actionId: 'poll-http', inputs: watched };
    // Version 3 has no run yet: its trigger resumes from version 1's newest, not version 2's.
    expect(await lastTriggerEvent(db(), w, scope)).toEqual({ hash: 'b' });
    await aRun(w, 3, { hash: 'c' });
    expect(await lastTriggerEvent(db(), w, scope)).toEqual({ hash: 'c' });
    expect(await lastTriggerEvent(db(), w, { actionId: 'poll-http', inputs: { ...watched, url: 'https://example.com/other' } })).toEqual({ hash: 'other' });
  });

  it('starts from nothing for another action, other inputs, another workflow', async () => {
    const w = randomUUID();
    await aVersion(w, 1, { action: 'poll-http@1.0.0', inputs: watched });
    await aRun(w, 1, { hash: 'a' });
    expect(await lastTriggerEvent(db(), w, { actionId: 'watch-s3', inputs: watched })).toBeNull();
    expect(await lastTriggerEvent(db(), w, { actionId: 'poll-http', inputs: { ...watched, method: 'HEAD' } })).toBeNull();
    expect(await lastTriggerEvent(db(), w, { actionId: 'poll-http', inputs: { url: watched.url } })).toBeNull();
    expect(await lastTriggerEvent(db(), randomUUID(), { actionId: 'poll-http', inputs: watched })).toBeNull();
  });

  it('counts only runs trigger events started: not a re-run, another trigger\'s run or a run without the trigger key', async () => {
    const w = randomUUID();
    await aVersion(w, 1, { action: 'poll-http@1.0.0', inputs: watched });
    const first = await aRun(w, 1, { hash: 'event' });
    await aRun(w, 1, { hash: 'rerun' }, { rerunOf: first });
    await aRun(w, 1, { hash: 'keyless' }, { key: null });
    await aRun(w, 1, { hash: 'other key' }, { key: 'schedule:x' });
    await aRun(w, 1, { hash: 'http' }, { type: 'http' });
    expect(await lastTriggerEvent(db(), w, { actionId: 'poll-http', inputs: watched })).toEqual({ hash: 'event' });
  });

  it('reads a version without inputs (or inputs that are not an object) as having none', async () => {
    const w = randomUUID();
    await aVersion(w, 1, { action: 'ticker@1.0.0' });
    await aVersion(w, 2, { action: 'ticker@1.0.0', inputs: null });
    await aRun(w, 1, { n: 1 });
    await aRun(w, 2, { n: 2 });
    expect(await lastTriggerEvent(db(), w, { actionId: 'ticker', inputs: {} })).toEqual({ n: 2 });
  });

  it('agrees with the domain\'s rule on every pair', async () => {
    const scopes: TriggerCursorScope[] = [
      { actionId: 'poll-http', inputs: watched },
      { actionId: 'poll-http', inputs: { interval_seconds: 60, url: watched.url } },
      { actionId: 'poll-http', inputs: { ...watched, headers: { a: '1', b: ['x', null] } } },
      { actionId: 'poll-http', inputs: { ...watched, headers: { b: ['x', null], a: '1' } } },
      { actionId: 'poll-http', inputs: { ...watched, headers: { a: '1', b: [null, 'x'] } } },
      { actionId: 'poll-http', inputs: { ...watched, interval_seconds: '60' } },
      { actionId: 'poll-http', inputs: { ...watched, url: '${{ vars.URL }}' } },
      { actionId: 'watch-s3', inputs: watched },
    ];
    for (const earlier of scopes) {
      const w = randomUUID();
      await aVersion(w, 1, { action: `${earlier.actionId}@1.0.0`, inputs: earlier.inputs });
      await aRun(w, 1, { seen: true });
      for (const now of scopes) {
        const found = await lastTriggerEvent(db(), w, now);
        expect({ earlier, now, resumes: found !== null }).toEqual({ earlier, now, resumes: sameCursorScope(now, earlier) });
      }
    }
  });
});
