import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deadLetterQueueOf } from '@trellis/platform/amqp/topology';
import { drainQueue } from '@trellis/platform/testing/amqp';
import { eventually } from '@trellis/platform/testing/eventually';
import * as builder from '../src/infrastructure/pb/action-builder/v1/events.js';
import { anActionBuilt, QUEUE, useStudio } from './fixtures.js';

const { studio, knownProject, built, publishBuilt } = useStudio();

type Answer = { status: number; type: string | null; body: Record<string, unknown> & { items?: Array<Record<string, unknown>> } };

async function get(path: string, token: string): Promise<Answer> {
  const response = await fetch(`${studio.base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const type = response.headers.get('content-type');
  const body = type?.includes('json') ? ((await response.json()) as Answer['body']) : { bytes: Buffer.from(await response.arrayBuffer()).toString('base64') };
  return { status: response.status, type, body };
}

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

describe('the action library', () => {
  it('lists each built action once, at its newest version, with its I/O, and shows every version', async () => {
    const projectId = await knownProject();
    const viewer = await studio.jwks.sign({ projectId, role: 'viewer' });
    await built(anActionBuilt(projectId));
    await built(anActionBuilt(projectId, { version: '1.1.0', description: 'Adds one, faster.' }, { builtAt: new Date(Date.now() + 1000) }));
    await built(anActionBuilt(projectId, { id: 'resize-image', name: 'Resize image', categories: ['images'], runtime: 'python', format: 'ryax' }));

    const list = await get('/actions', viewer);
    expect(list.status).toBe(200);
    expect(list.body.items?.map((item) => `${String(item['id'])}@${String(item['version'])}`)).toEqual(['add-one@1.1.0', 'resize-image@1.0.0']);
    expect(list.body.items?.[0]).toMatchObject({
      kind: 'Processor', runtime: 'nodejs', digest: 'd'.repeat(64), categories: ['math'], logo_url: null,
      inputs: [{ name: 'n', type: 'integer', help: 'The number', optional: false, default: 0 }],
      resources: { cpu: 0.5, memory_bytes: 268435456, timeout_ms: 60000 },
    });

    const action = await get('/actions/add-one', viewer);
    expect(action.status).toBe(200);
    expect((action.body['versions'] as Array<{ version: string }>).map((v) => v.version)).toEqual(['1.1.0', '1.0.0']);
    expect((await get('/actions/add-one/versions/1.0.0', viewer)).body['description']).toBe('Adds one to a number.');
  });

  it('searches by id, name, description and category, filters by category, and pages with a cursor', async () => {
    const projectId = await knownProject();
    const viewer = await studio.jwks.sign({ projectId, role: 'viewer' });
    for (const [id, category] of [['alpha', 'text'], ['beta', 'images'], ['gamma', 'text'], ['delta', 'text']] as const) {
      await built(anActionBuilt(projectId, { id, name: `The ${id}`, categories: [category], description: `${id} 100%_done` }));
    }
    const ids = (answer: Answer) => answer.body.items?.map((item) => item['id']);
    expect(ids(await get('/actions?search=GAM', viewer))).toEqual(['gamma']);
    expect(ids(await get('/actions?search=images', viewer))).toEqual(['beta']);
    expect(ids(await get('/actions?search=100%25_', viewer))).toEqual(['alpha', 'beta', 'delta', 'gamma']);
    expect(ids(await get('/actions?search=a_p', viewer))).toEqual([]); // `_` is a character, not a wildcard
    expect(ids(await get('/actions?category=text', viewer))).toEqual(['alpha', 'delta', 'gamma']);
    const first = await get('/actions?limit=2', viewer);
    expect(ids(first)).toEqual(['alpha', 'beta']);
    const second = await get(`/actions?limit=2&cursor=${String(first.body['next'])}`, viewer);
    expect(ids(second)).toEqual(['delta', 'gamma']);
    expect(second.body['next']).toBeNull();
    expect((await get('/actions?cursor=garbage', viewer)).body['code']).toBe('invalid_cursor');
  });

  it('serves a logo as an image that cannot run script', async () => {
    const projectId = await knownProject();
    const viewer = await studio.jwks.sign({ projectId, role: 'viewer' });
    await built(anActionBuilt(projectId, {}, { logo: PNG, logoMediaType: 'image/png' }));
    const item = (await get('/actions/add-one/versions/1.0.0', viewer)).body;
    expect(item['logo_url']).toBe('/studio/actions/add-one/versions/1.0.0/logo');
    const response = await fetch(`${studio.base}/actions/add-one/logo`, { headers: { authorization: `Bearer ${viewer}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(Buffer.from(await response.arrayBuffer())).toEqual(PNG);
    await built(anActionBuilt(projectId, { id: 'no-logo' }));
    expect((await get('/actions/no-logo/logo', viewer)).status).toBe(404);
  });

  it('keeps the newest build of a version, whatever order the builds arrive in, and records a build once', async () => {
    const projectId = await knownProject();
    const viewer = await studio.jwks.sign({ projectId, role: 'viewer' });
    const newer = anActionBuilt(projectId, {}, { digest: 'e'.repeat(64), builtAt: new Date(Date.now() + 60_000) });
    await built(newer);
    await built(anActionBuilt(projectId, {}, { digest: 'f'.repeat(64), builtAt: new Date() }));
    await built(newer);
    expect((await get('/actions/add-one/versions/1.0.0', viewer)).body['digest']).toBe('e'.repeat(64));
  });

  it('deletes a version for a developer, refuses a viewer, and answers 404 for what is not there', async () => {
    const projectId = await knownProject();
    const [viewer, developer] = await Promise.all([studio.jwks.sign({ projectId, role: 'viewer' }), studio.jwks.sign({ projectId, role: 'developer' })]);
    await built(anActionBuilt(projectId));
    const remove = (token: string, path = '/actions/add-one/versions/1.0.0') =>
      fetch(`${studio.base}${path}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect((await remove(viewer)).status).toBe(403);
    expect((await remove(developer)).status).toBe(204);
    const again = await remove(developer);
    expect(again.status).toBe(404);
    expect(((await again.json()) as Record<string, unknown>)['code']).toBe('action_version_not_found');
    expect((await get('/actions/add-one', viewer)).body['code']).toBe('action_not_found');
    expect((await remove(developer, '/actions/..%2F..%2Fetc/versions/1.0.0')).status).toBe(400);
  });

  it('shows a project\'s library to no other project', async () => {
    const projectA = await knownProject('a');
    const projectB = await knownProject('b');
    await built(anActionBuilt(projectA, { id: 'secret-sauce' }));
    const outsider = await studio.jwks.sign({ projectId: projectB, role: 'owner' });
    expect((await get('/actions', outsider)).body.items).toEqual([]);
    expect((await get('/actions/secret-sauce', outsider)).status).toBe(404);
    expect((await get('/actions/secret-sauce/versions/1.0.0', outsider)).status).toBe(404);
    expect((await get('/actions/secret-sauce/logo', outsider)).status).toBe(404);
  });

  it('waits for a project it does not know yet, and forgets a deleted project\'s library with it', async () => {
    const projectId = randomUUID();
    await publishBuilt(builder.ActionBuilt.encode(anActionBuilt(projectId, { id: 'early' })).finish());
    await new Promise((resolve) => setTimeout(resolve, 300)); // the first attempts fail: studio does not know the project
    const rows = () => studio.database.db.selectFrom('library_actions').select('action_id').where('project_id', '=', projectId).execute();
    expect(await rows()).toEqual([]);
    await studio.database.db.insertInto('projects').values({ id: projectId, name: 'late', created_at: new Date() }).execute();
    await eventually(rows, (found) => found.length === 1);
    await studio.database.db.deleteFrom('projects').where('id', '=', projectId).execute();
    expect(await rows()).toEqual([]);
  });

  it('dead-letters an ActionBuilt it cannot use, without recording it', async () => {
    const projectId = await knownProject();
    await publishBuilt(builder.ActionBuilt.encode(anActionBuilt(projectId, { kind: 'Gizmo' })).finish());
    await publishBuilt(builder.ActionBuilt.encode(anActionBuilt(projectId, {}, { digest: 'not-a-digest' })).finish());
    await publishBuilt(Buffer.from([0xff, 0xff, 0x01]));
    const dead: unknown[] = [];
    await eventually(async () => {
      dead.push(...(await drainQueue(studio.vhost.url, deadLetterQueueOf(QUEUE))));
      return dead.length;
    }, (count) => count >= 3);
    expect(await studio.database.db.selectFrom('library_actions').select('action_id').where('project_id', '=', projectId).execute()).toEqual([]);
  });
});
