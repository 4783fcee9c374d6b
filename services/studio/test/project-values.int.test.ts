import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { makeOpener, secretAad } from '@trellis/platform/crypto/sealed-box';
import { eventually } from '@trellis/platform/testing/eventually';
import * as pb from '../src/infrastructure/pb/studio/v1/events.js';
import { useStudio, type Tapped } from './fixtures.js';
import { makeCall } from './http-calls.js';

const { studio, knownProject, published, runnerKeys } = useStudio();
const call = makeCall(() => studio.base);

/** A project studio knows, with a token per role (and the user id of each). */
async function aProject() {
  const projectId = await knownProject();
  const users = { viewer: randomUUID(), operator: randomUUID(), developer: randomUUID(), owner: randomUUID() };
  const token = (role: keyof typeof users) => studio.jwks.sign({ projectId, role, userId: users[role] });
  return { projectId, users, viewer: await token('viewer'), operator: await token('operator'), developer: await token('developer'), owner: await token('owner') };
}

const put = (path: string, token: string, value: unknown) => call('PUT', path, { token, body: { value } });

describe('project variables', () => {
  it('a developer creates (201), replaces (200) and deletes a variable; a viewer reads it', async () => {
    const p = await aProject();
    const created = await put('/variables/API_URL', p.developer, 'https://api.example.com');
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/studio/variables/API_URL');
    expect(created.body).toEqual({ name: 'API_URL', value: 'https://api.example.com', updated_at: expect.any(String), updated_by: p.users.developer });
    expect(await call('GET', '/variables/API_URL', { token: p.viewer })).toMatchObject({ status: 200, body: created.body });

    const replaced = await put('/variables/API_URL', p.owner, { primary: 'https://a', fallback: ['https://b'] });
    expect(replaced).toMatchObject({ status: 200, body: { name: 'API_URL', value: { primary: 'https://a', fallback: ['https://b'] }, updated_by: p.users.owner } });
    expect(Date.parse(replaced.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(created.body.updated_at));
    expect((await call('GET', '/variables/API_URL', { token: p.viewer })).body).toEqual(replaced.body);

    expect((await call('DELETE', '/variables/API_URL', { token: p.developer })).status).toBe(204);
    const gone = await call('GET', '/variables/API_URL', { token: p.viewer });
    expect(gone).toMatchObject({ status: 404, body: { code: 'variable_not_found' } });
    expect(gone.headers.get('content-type')).toContain('application/problem+json');
    expect(await call('DELETE', '/variables/API_URL', { token: p.developer })).toMatchObject({ status: 404, body: { code: 'variable_not_found' } });
  });

  it.each([
    ['a string', 'text'], ['an empty string', ''], ['a number', 42.5], ['false', false], ['a list', [1, 'two', [3]]],
    ['an object', { nested: { deep: true }, list: [] }], ['unicode', 'héllo ✓ 日本'],
  ])('keeps %s as given', async (_case, value) => {
    const p = await aProject();
    expect((await put('/variables/V', p.developer, value)).status).toBe(201);
    expect((await call('GET', '/variables/V', { token: p.viewer })).body.value).toEqual(value);
  });

  it('lists by name (byte order), searches names in any case, and pages with a cursor', async () => {
    const p = await aProject();
    for (const name of ['beta', 'ALPHA', 'Gamma_1', 'gamma_2', 'delta', '_hidden']) expect((await put(`/variables/${name}`, p.developer, name.length)).status).toBe(201);
    const names = (answer: { body: { items: Array<{ name: string }> } }) => answer.body.items.map((item) => item.name);
    const all = await call('GET', '/variables', { token: p.viewer });
    expect(names(all)).toEqual(['ALPHA', 'Gamma_1', '_hidden', 'beta', 'delta', 'gamma_2']);
    expect(all.body.items[0]).toEqual({ name: 'ALPHA', value: 5, updated_at: expect.any(String), updated_by: p.users.developer });
    expect(names(await call('GET', '/variables?search=GAMMA', { token: p.viewer }))).toEqual(['Gamma_1', 'gamma_2']);
    expect(names(await call('GET', '/variables?search=a_', { token: p.viewer }))).toEqual(['Gamma_1', 'gamma_2']); // "_" is a character, not a wildcard
    expect(names(await call('GET', '/variables?search=zzz', { token: p.viewer }))).toEqual([]);
    const first = await call('GET', '/variables?limit=4', { token: p.viewer });
    expect(names(first)).toEqual(['ALPHA', 'Gamma_1', '_hidden', 'beta']);
    const second = await call('GET', `/variables?limit=4&cursor=${first.body.next}`, { token: p.viewer });
    expect(names(second)).toEqual(['delta', 'gamma_2']);
    expect(second.body.next).toBeNull();
    const searched = await call('GET', '/variables?search=a&limit=2', { token: p.viewer });
    expect(names(await call('GET', `/variables?search=a&limit=2&cursor=${searched.body.next}`, { token: p.viewer }))).toEqual(['beta', 'delta']);
    expect(await call('GET', '/variables?cursor=garbage', { token: p.viewer })).toMatchObject({ status: 400, body: { code: 'invalid_cursor' } });
    expect(await call('GET', '/variables?limit=0', { token: p.viewer })).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
  });

  it.each([
    ['a name starting with a digit', '/variables/1ST', { value: 1 }, 'invalid_name'],
    ['a name with a dash', '/variables/MY-VAR', { value: 1 }, 'invalid_name'],
    ['a name with a dot', '/variables/a.b', { value: 1 }, 'invalid_name'],
    ['an encoded path', '/variables/..%2Fsecrets', { value: 1 }, 'invalid_name'],
    ['a name of 65 characters', `/variables/${'A'.repeat(65)}`, { value: 1 }, 'invalid_name'],
    ['a value of more than 64 KiB as JSON', '/variables/BIG', { value: 'x'.repeat(64 * 1024) }, 'value_too_large'],
    ['a value of 64 KiB in multi-byte characters', '/variables/BIG', { value: ['é'.repeat(32 * 1024)] }, 'value_too_large'],
    ['lists nested 33 deep', '/variables/DEEP', { value: JSON.parse(`${'['.repeat(33)}${']'.repeat(33)}`) as unknown }, 'value_too_deep'],
    ['null', '/variables/NULL', { value: null }, 'invalid_value'],
    ['no value', '/variables/NONE', {}, 'invalid_request'],
    ['another field', '/variables/EXTRA', { value: 1, secret: true }, 'invalid_request'],
    ['a body that is not an object', '/variables/LIST', [1, 2], 'invalid_request'],
  ])('refuses %s (400 %s), storing and emitting nothing', async (_case, path, body, code) => {
    const p = await aProject();
    const answer = await call('PUT', path, { token: p.developer, body });
    expect(answer).toMatchObject({ status: 400, body: { code } });
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(await studio.database.db.selectFrom('project_variables').select('name').where('project_id', '=', p.projectId).execute()).toEqual([]);
    expect(await studio.database.db.selectFrom('outbox').select('message_id').where(sql<boolean>`headers @> ${JSON.stringify({ 'x-project-id': p.projectId })}::jsonb`).execute()).toEqual([]);
  });

  it('refuses a body nested far too deep without failing (400, not 500), bodies that are not JSON, and bad names when reading', async () => {
    const p = await aProject();
    const deep = `{"value":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    // Refused at the edge (JSON nested beyond 100 levels), before the route's own depth check.
    expect(await call('PUT', '/variables/DEEP', { token: p.developer, rawBody: deep })).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    expect(await call('PUT', '/variables/X', { token: p.developer, rawBody: '{"value": 1' })).toMatchObject({ status: 400, body: { code: 'malformed_body' } });
    expect(await call('PUT', '/variables/X', { token: p.developer, rawBody: 'value=1', contentType: 'text/plain' })).toMatchObject({ status: 415 });
    expect(await call('GET', '/variables/bad-name', { token: p.viewer })).toMatchObject({ status: 400, body: { code: 'invalid_name' } });
    expect(await call('DELETE', '/variables/bad-name', { token: p.developer })).toMatchObject({ status: 400, body: { code: 'invalid_name' } });
  });

  it('lets viewers and operators read but not write; developers and owners write', async () => {
    const p = await aProject();
    expect((await put('/variables/X', p.developer, 1)).status).toBe(201);
    for (const token of [p.viewer, p.operator]) {
      expect(await put('/variables/X', token, 2)).toMatchObject({ status: 403, body: { code: 'forbidden' } });
      expect(await put('/variables/NEW', token, 2)).toMatchObject({ status: 403 });
      expect(await call('DELETE', '/variables/X', { token })).toMatchObject({ status: 403 });
      expect((await call('GET', '/variables/X', { token })).status).toBe(200);
      expect((await call('GET', '/variables', { token })).status).toBe(200);
    }
    expect((await put('/variables/X', p.owner, 3)).status).toBe(200);
    expect((await call('GET', '/variables/X', { token: p.viewer })).body.value).toBe(3);
    expect((await call('GET', '/variables')).status).toBe(401);
  });

  it('shows a project\'s variables to no other project: another project\'s token finds nothing and changes nothing', async () => {
    const a = await aProject();
    const b = await aProject();
    await put('/variables/SHARED_NAME', a.developer, 'of a');
    await put('/variables/ONLY_A', a.developer, 'of a');
    expect(await call('GET', '/variables/ONLY_A', { token: b.owner })).toMatchObject({ status: 404, body: { code: 'variable_not_found' } });
    expect((await call('GET', '/variables', { token: b.owner })).body).toEqual({ items: [], next: null });
    expect((await call('DELETE', '/variables/ONLY_A', { token: b.owner })).status).toBe(404);
    expect((await put('/variables/SHARED_NAME', b.developer, 'of b')).status).toBe(201);
    expect((await call('GET', '/variables/SHARED_NAME', { token: a.viewer })).body.value).toBe('of a');
    expect((await call('GET', '/variables/SHARED_NAME', { token: b.viewer })).body.value).toBe('of b');
    expect((await call('GET', '/variables', { token: a.viewer })).body.items.map((v: { name: string }) => v.name)).toEqual(['ONLY_A', 'SHARED_NAME']);
  });

  it('answers project_not_found to a project studio has not heard of yet, storing nothing', async () => {
    const projectId = randomUUID();
    const developer = await studio.jwks.sign({ projectId, role: 'developer' });
    expect(await put('/variables/X', developer, 1)).toMatchObject({ status: 404, body: { code: 'project_not_found' } });
    expect(await call('PUT', '/secrets/X', { token: developer, body: { value: 'v' } })).toMatchObject({ status: 404, body: { code: 'project_not_found' } });
  });
});

describe('project secrets', () => {
  it('a developer creates (201), rotates (200) and deletes a secret; anyone reads only its name and update time', async () => {
    const p = await aProject();
    const created = await call('PUT', '/secrets/DB_PASSWORD', { token: p.developer, body: { value: 'first-value-1' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/studio/secrets/DB_PASSWORD');
    expect(created.body).toEqual({ name: 'DB_PASSWORD', updated_at: expect.any(String), updated_by: p.users.developer });
    const rotated = await call('PUT', '/secrets/DB_PASSWORD', { token: p.owner, body: { value: 'second-value-2' } });
    expect(rotated).toMatchObject({ status: 200, body: { name: 'DB_PASSWORD', updated_by: p.users.owner } });
    expect(Object.keys(rotated.body).sort()).toEqual(['name', 'updated_at', 'updated_by']);
    const read = await call('GET', '/secrets/DB_PASSWORD', { token: p.viewer });
    expect(read).toMatchObject({ status: 200, body: rotated.body });
    expect(Object.keys(read.body).sort()).toEqual(['name', 'updated_at', 'updated_by']);
    expect((await call('DELETE', '/secrets/DB_PASSWORD', { token: p.developer })).status).toBe(204);
    expect(await call('GET', '/secrets/DB_PASSWORD', { token: p.viewer })).toMatchObject({ status: 404, body: { code: 'secret_not_found' } });
    expect(await call('DELETE', '/secrets/DB_PASSWORD', { token: p.developer })).toMatchObject({ status: 404, body: { code: 'secret_not_found' } });
  });

  it('lists names and update times only, by name, with search and pages', async () => {
    const p = await aProject();
    for (const name of ['TOKEN_B', 'TOKEN_A', 'KEY']) expect((await call('PUT', `/secrets/${name}`, { token: p.developer, body: { value: `value of ${name}` } })).status).toBe(201);
    const list = await call('GET', '/secrets?limit=2', { token: p.viewer });
    expect(list.body.items).toEqual([
      { name: 'KEY', updated_at: expect.any(String), updated_by: p.users.developer },
      { name: 'TOKEN_A', updated_at: expect.any(String), updated_by: p.users.developer },
    ]);
    expect(list.text).not.toContain('value of');
    const next = await call('GET', `/secrets?limit=2&cursor=${list.body.next}`, { token: p.viewer });
    expect(next.body).toEqual({ items: [{ name: 'TOKEN_B', updated_at: expect.any(String), updated_by: p.users.developer }], next: null });
    expect((await call('GET', '/secrets?search=token', { token: p.viewer })).body.items.map((s: { name: string }) => s.name)).toEqual(['TOKEN_A', 'TOKEN_B']);
  });

  it.each([
    ['an empty value', '/secrets/S', { value: '' }, 'invalid_value'],
    ['a value of more than 64 KiB', '/secrets/S', { value: 'x'.repeat(64 * 1024 + 1) }, 'value_too_large'],
    ['a number', '/secrets/S', { value: 12345 }, 'invalid_request'],
    ['an object', '/secrets/S', { value: { password: 'x' } }, 'invalid_request'],
    ['null', '/secrets/S', { value: null }, 'invalid_request'],
    ['no value', '/secrets/S', {}, 'invalid_request'],
    ['a bad name', '/secrets/MY%20TOKEN', { value: 'x' }, 'invalid_name'],
  ])('refuses %s (400 %s), storing nothing', async (_case, path, body, code) => {
    const p = await aProject();
    expect(await call('PUT', path, { token: p.developer, body })).toMatchObject({ status: 400, body: { code } });
    expect(await studio.database.db.selectFrom('project_secrets').select('name').where('project_id', '=', p.projectId).execute()).toEqual([]);
  });

  it('takes exactly 64 KiB', async () => {
    const p = await aProject();
    expect((await call('PUT', '/secrets/BIG', { token: p.developer, body: { value: 'x'.repeat(64 * 1024) } })).status).toBe(201);
  });

  it('lets viewers and operators read names but not write; another project\'s token finds nothing', async () => {
    const p = await aProject();
    const other = await aProject();
    await call('PUT', '/secrets/S', { token: p.developer, body: { value: 'v' } });
    for (const token of [p.viewer, p.operator]) {
      expect((await call('PUT', '/secrets/S', { token, body: { value: 'w' } })).status).toBe(403);
      expect((await call('DELETE', '/secrets/S', { token })).status).toBe(403);
      expect((await call('GET', '/secrets/S', { token })).status).toBe(200);
    }
    expect((await call('GET', '/secrets/S', { token: other.owner })).status).toBe(404);
    expect((await call('GET', '/secrets', { token: other.owner })).body).toEqual({ items: [], next: null });
    expect((await call('DELETE', '/secrets/S', { token: other.owner })).status).toBe(404);
    expect((await call('GET', '/secrets/S', { token: p.viewer })).status).toBe(200);
  });
});

describe('the events of variables and secrets on the broker (trellis.studio)', () => {
  /** Studio's messages of `projectId`, decoded with studio's generated code, in the order they were published. */
  async function eventsOf(projectId: string, count: number) {
    const seen: Tapped[] = [];
    const decode = (m: Tapped) => {
      switch (m.type) {
        case 'trellis.studio.v1.ProjectVariableSet': return { type: m.type, messageId: m.messageId, ...pb.ProjectVariableSet.decode(m.content) };
        case 'trellis.studio.v1.ProjectVariableDeleted': return { type: m.type, messageId: m.messageId, ...pb.ProjectVariableDeleted.decode(m.content) };
        case 'trellis.studio.v1.ProjectSecretSet': return { type: m.type, messageId: m.messageId, ...pb.ProjectSecretSet.decode(m.content) };
        case 'trellis.studio.v1.ProjectSecretDeleted': return { type: m.type, messageId: m.messageId, ...pb.ProjectSecretDeleted.decode(m.content) };
        default: throw new Error(`unexpected message ${m.type}`);
      }
    };
    const mine = () => seen.map(decode).filter((event) => event.meta?.projectId === projectId);
    await eventually(async () => {
      seen.push(...(await published()));
      return mine().length;
    }, (n) => n >= count);
    return mine();
  }

  it('emits every change with a revision that grows with each change of a name, deletions included', async () => {
    const p = await aProject();
    await put('/variables/REGION', p.developer, 'eu-west');
    await put('/variables/REGION', p.developer, { zone: 'b' });
    await call('DELETE', '/variables/REGION', { token: p.developer });
    await put('/variables/REGION', p.developer, 'back');
    const events = await eventsOf(p.projectId, 4);
    expect(events.map((e) => e.type)).toEqual([
      'trellis.studio.v1.ProjectVariableSet', 'trellis.studio.v1.ProjectVariableSet', 'trellis.studio.v1.ProjectVariableDeleted', 'trellis.studio.v1.ProjectVariableSet',
    ]);
    expect(events.map((e) => ('valueJson' in e ? e.valueJson : null))).toEqual(['"eu-west"', '{"zone":"b"}', null, '"back"']);
    const revisions = events.map((e) => BigInt(e.revision));
    expect(revisions.every((r, i) => i === 0 || r > (revisions[i - 1] ?? r))).toBe(true);
    for (const event of events) {
      expect(event.name).toBe('REGION');
      expect(event.meta).toMatchObject({ projectId: p.projectId, eventId: event.messageId, occurredAt: expect.any(Date) });
      expect(event.meta?.traceId).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it('sends a secret sealed for the runner only: it opens with the runner\'s private key, for its project and name only', async () => {
    const p = await aProject();
    const opener = makeOpener(runnerKeys.privateKey);
    await call('PUT', '/secrets/API_TOKEN', { token: p.developer, body: { value: 'the-first-token' } });
    await call('PUT', '/secrets/API_TOKEN', { token: p.developer, body: { value: 'the-rotated-token ✓' } });
    await call('DELETE', '/secrets/API_TOKEN', { token: p.developer });
    const events = await eventsOf(p.projectId, 3);
    expect(events.map((e) => e.type)).toEqual(['trellis.studio.v1.ProjectSecretSet', 'trellis.studio.v1.ProjectSecretSet', 'trellis.studio.v1.ProjectSecretDeleted']);
    const [first, rotated, deleted] = events;
    if (!first || !rotated || !deleted || !('sealedValue' in first) || !('sealedValue' in rotated)) throw new Error('missing events');
    expect(first.keyId).toBe(opener.keyId);
    expect(await opener.open(first.sealedValue, secretAad(p.projectId, 'API_TOKEN'))).toBe('the-first-token');
    expect(await opener.open(rotated.sealedValue, secretAad(p.projectId, 'API_TOKEN'))).toBe('the-rotated-token ✓');
    await expect(opener.open(rotated.sealedValue, secretAad(p.projectId, 'OTHER_NAME'))).rejects.toThrow(/does not open/);
    await expect(opener.open(rotated.sealedValue, secretAad(randomUUID(), 'API_TOKEN'))).rejects.toThrow(/does not open/);
    expect(BigInt(first.revision) < BigInt(rotated.revision) && BigInt(rotated.revision) < BigInt(deleted.revision)).toBe(true);
    for (const event of events) expect(event.meta?.projectId).toBe(p.projectId);
  });

  it('emits nothing for a refused change', async () => {
    const p = await aProject();
    await put('/variables/bad-name', p.developer, 1);
    await call('PUT', '/secrets/S', { token: p.developer, body: { value: '' } });
    await call('DELETE', '/variables/NOT_THERE', { token: p.developer });
    await put('/variables/AFTER', p.developer, 1); // the one event that must come, after the refusals
    expect((await eventsOf(p.projectId, 1)).map((e) => [e.type, e.name])).toEqual([['trellis.studio.v1.ProjectVariableSet', 'AFTER']]);
  });
});
