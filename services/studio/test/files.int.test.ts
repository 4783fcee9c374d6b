// Uploaded files through studio's HTTP edge, on the real Postgres, broker and object store:
// stored as they stream in, served back as downloads, given to workflows as static values of
// file inputs (validated, frozen with the version, sent in the deploy snapshot, kept from
// deletion while deployed), and gone with their project.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventually } from '@trellis/platform/testing/eventually';
import { handled, objectNames, publishAs } from '@trellis/platform/testing/service-harness';
import * as authorization from '../src/infrastructure/pb/authorization/v1/events.js';
import * as builder from '../src/infrastructure/pb/action-builder/v1/events.js';
import * as runner from '../src/infrastructure/pb/runner/v1/events.js';
import * as pb from '../src/infrastructure/pb/studio/v1/events.js';
import { anActionBuilt, QUEUE, useStudio } from './fixtures.js';
import { makeCall } from './http-calls.js';
import { abandonUpload, postInParts } from './uploads.js';

const MB = 1024 * 1024;
const LIMIT = 2 * MB;
const service = useStudio({ TRELLIS_UPLOAD_MAX_BYTES: String(LIMIT) });
const call = makeCall(() => service.studio.base);

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function aProject() {
  const projectId = await service.knownProject();
  const users = { viewer: randomUUID(), operator: randomUUID(), developer: randomUUID() };
  const token = (role: keyof typeof users) => service.studio.jwks.sign({ projectId, role, userId: users[role] });
  return { projectId, users, viewer: await token('viewer'), operator: await token('operator'), developer: await token('developer') };
}

async function upload(token: string, name: string, bytes: Buffer, contentType?: string) {
  const response = await fetch(`${service.studio.base}/files?name=${encodeURIComponent(name)}`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, ...(contentType ? { 'content-type': contentType } : {}) }, body: bytes,
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

async function download(token: string, id: string) {
  const response = await fetch(`${service.studio.base}/files/${id}/content`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

const fileRows = (projectId: string) => service.studio.database.db.selectFrom('files').selectAll().where('project_id', '=', projectId).execute();
const objectsOf = async (projectId: string) => (await objectNames(service.studio.store)).filter((name) => name.startsWith(`studio/projects/${projectId}/`));

describe('uploading and reading files', () => {
  it('stores a file as sent and serves it back, byte for byte, as a download that cannot run', async () => {
    const p = await aProject();
    const bytes = randomBytes(MB + 12_345);
    const uploaded = await upload(p.developer, 'photo.png', bytes, 'image/PNG; charset=binary');
    expect(uploaded.status).toBe(201);
    const id = uploaded.body['id'] as string;
    expect(uploaded.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'photo.png', content_type: 'image/png', size: bytes.length, sha256: sha256(bytes),
      created_at: expect.any(String), created_by: p.users.developer,
    });
    expect(uploaded.headers.get('location')).toBe(`/studio/files/${id}`);
    expect(await objectsOf(p.projectId)).toEqual([`studio/projects/${p.projectId}/files/${id}`]);
    expect(await fileRows(p.projectId)).toMatchObject([{ id, object: `studio/projects/${p.projectId}/files/${id}`, size: bytes.length }]);

    expect(await call('GET', `/files/${id}`, { token: p.viewer })).toMatchObject({ status: 200, body: uploaded.body });
    expect(await call('GET', `/files/${id.toUpperCase()}`, { token: p.viewer })).toMatchObject({ status: 200, body: { id } });
    const got = await download(p.viewer, id);
    expect(got.status).toBe(200);
    expect(got.bytes.equals(bytes)).toBe(true);
    expect(Object.fromEntries(['content-type', 'content-length', 'content-disposition', 'x-content-type-options', 'content-security-policy'].map((h) => [h, got.headers.get(h)]))).toEqual({
      'content-type': 'image/png', 'content-length': String(bytes.length), 'content-disposition': "attachment; filename*=UTF-8''photo.png",
      'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'; sandbox",
    });
  });

  it('streams a chunked upload, keeps any name a file may have, and stores a file sent without a type as application/octet-stream', async () => {
    const p = await aProject();
    const bytes = randomBytes(LIMIT);
    const name = 'Résumé "final" (1) 日本 * it\'s;.html';
    const sent = await postInParts(`${service.studio.base}/files?name=${encodeURIComponent(name)}`, [bytes.subarray(0, 700_000), bytes.subarray(700_000)], {
      authorization: `Bearer ${p.developer}`, 'content-type': 'text/html',
    });
    expect(sent).toMatchObject({ status: 201, body: { name, content_type: 'text/html', size: LIMIT, sha256: sha256(bytes) } });
    const got = await download(p.viewer, sent.body['id'] as string);
    expect(got.bytes.equals(bytes)).toBe(true);
    expect(got.headers.get('content-type')).toBe('text/html');
    expect(got.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22%20%281%29%20%E6%97%A5%E6%9C%AC%20%2A%20it%27s%3B.html");
    expect(decodeURIComponent(got.headers.get('content-disposition')?.split("''")[1] ?? '')).toBe(name);

    const untyped = await upload(p.developer, 'blob', Buffer.from('just bytes'));
    expect(untyped).toMatchObject({ status: 201, body: { content_type: 'application/octet-stream', size: 10 } });
    expect((await download(p.viewer, untyped.body['id'] as string)).headers.get('content-type')).toBe('application/octet-stream');
  });

  it('lists files by name with search and cursor pages', async () => {
    const p = await aProject();
    for (const name of ['b.txt', 'a.txt', 'c_d.txt', 'a.txt', 'cxd.txt']) expect((await upload(p.developer, name, Buffer.from(name))).status).toBe(201);
    const names = (answer: { body: { items: Array<{ name: string }> } }) => answer.body.items.map((item) => item.name);
    const all = await call('GET', '/files', { token: p.viewer });
    expect(names(all)).toEqual(['a.txt', 'a.txt', 'b.txt', 'c_d.txt', 'cxd.txt']);
    expect(all.body.next).toBeNull();
    expect(names(await call('GET', '/files?search=C_D', { token: p.viewer }))).toEqual(['c_d.txt']);
    const first = await call('GET', '/files?limit=1', { token: p.viewer });
    const second = await call('GET', `/files?limit=3&cursor=${first.body.next}`, { token: p.viewer });
    expect([names(first), names(second)]).toEqual([['a.txt'], ['a.txt', 'b.txt', 'c_d.txt']]);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
    expect(names(await call('GET', `/files?limit=3&cursor=${second.body.next}`, { token: p.viewer }))).toEqual(['cxd.txt']);
    expect(await call('GET', '/files?cursor=garbage', { token: p.viewer })).toMatchObject({ status: 400, body: { code: 'invalid_cursor' } });
  });
});

describe('uploads that fail', () => {
  it('cuts a chunked upload off past TRELLIS_UPLOAD_MAX_BYTES (413), leaving no row and no object', async () => {
    const p = await aProject();
    const chunk = randomBytes(MB);
    const sent = await postInParts(`${service.studio.base}/files?name=big.bin`, [chunk, chunk, chunk], { authorization: `Bearer ${p.developer}`, 'content-type': 'application/octet-stream' });
    expect(sent.status).toBe(413);
    expect(sent.headers['content-type']).toContain('application/problem+json');
    expect(sent.body).toMatchObject({ code: 'payload_too_large', detail: `The file exceeds the size limit of ${LIMIT} bytes.` });
    const declared = await upload(p.developer, 'big.bin', randomBytes(3 * MB));
    expect(declared).toMatchObject({ status: 413, body: { code: 'payload_too_large' } });
    expect(await fileRows(p.projectId)).toEqual([]);
    expect(await objectsOf(p.projectId)).toEqual([]);
  });

  it('leaves no row and no object when the client goes away mid-upload', async () => {
    const p = await aProject();
    const requestId = `abandoned-${randomUUID()}`;
    await abandonUpload(`${service.studio.base}/files?name=gone.bin`, randomBytes(MB), {
      authorization: `Bearer ${p.developer}`, 'content-type': 'application/octet-stream', 'x-request-id': requestId,
    });
    // Studio logs the request once it has finished with it (cleaned up included).
    await eventually(async () => service.lines.filter((line) => line.includes(requestId) && line.includes('"message":"request"')), (found) => found.length === 1);
    expect(await fileRows(p.projectId)).toEqual([]);
    expect(await objectsOf(p.projectId)).toEqual([]);
  });

  it.each([
    ['no name', '/files', 'invalid_request'],
    ['an empty name', '/files?name=', 'invalid_file_name'],
    ['a path', `/files?name=${encodeURIComponent('../etc/passwd')}`, 'invalid_file_name'],
    ['a backslash', `/files?name=${encodeURIComponent('a\\b')}`, 'invalid_file_name'],
    ['a control character', `/files?name=${encodeURIComponent('a\u0007b')}`, 'invalid_file_name'],
    // A NUL anywhere in a request is refused at the edge, before any route (PostgreSQL cannot store one).
    ['a NUL', '/files?name=a%00b', 'invalid_request'],
    ['a line break', `/files?name=${encodeURIComponent('a\r\nb')}`, 'invalid_file_name'],
    ['256 characters', `/files?name=${'x'.repeat(256)}`, 'invalid_file_name'],
  ])('refuses %s (400 %s), storing nothing', async (_case, path, code) => {
    const p = await aProject();
    const answer = await call('POST', path, { token: p.developer, rawBody: 'content', contentType: 'text/plain' });
    expect(answer).toMatchObject({ status: 400, body: { code } });
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(await fileRows(p.projectId)).toEqual([]);
    expect(await objectsOf(p.projectId)).toEqual([]);
  });
});

describe('who may do what with files', () => {
  it('answers 404 file_not_found, not 500, for a file whose bytes are gone as it is read (a delete at the same moment)', async () => {
    const p = await aProject();
    const uploaded = await upload(p.developer, 'gone.txt', Buffer.from('soon gone'));
    expect(uploaded.status).toBe(201);
    const [object] = await objectsOf(p.projectId);
    await service.studio.store.store.client.removeObject(service.studio.store.config.bucket, object as string);
    const answer = await fetch(`${service.studio.base}/files/${String(uploaded.body['id'])}/content`, { headers: { authorization: `Bearer ${p.viewer}` } });
    expect(answer.status).toBe(404);
    expect(await answer.json()).toMatchObject({ code: 'file_not_found' });
  });

  it('lets a viewer list, read and download but not upload or delete; a developer does both; no credential is a 401', async () => {
    const p = await aProject();
    const id = (await upload(p.developer, 'a.txt', Buffer.from('a'))).body['id'] as string;
    expect(await upload(p.viewer, 'b.txt', Buffer.from('b'))).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await upload(p.operator, 'b.txt', Buffer.from('b'))).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await call('DELETE', `/files/${id}`, { token: p.viewer })).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await call('DELETE', `/files/${id}`, { token: p.operator })).toMatchObject({ status: 403 });
    for (const path of ['/files', `/files/${id}`, `/files/${id}/content`]) expect((await call('GET', path, { token: p.viewer })).status, path).toBe(200);
    for (const [method, path] of [['GET', '/files'], ['GET', `/files/${id}`], ['GET', `/files/${id}/content`], ['DELETE', `/files/${id}`], ['POST', '/files?name=x']]) {
      expect((await call(method ?? '', path ?? '')).status, `${method} ${path}`).toBe(401);
    }
    expect((await fileRows(p.projectId)).map((row) => row.name)).toEqual(['a.txt']);
    expect((await call('DELETE', `/files/${id}`, { token: p.developer })).status).toBe(204);
    expect(await objectsOf(p.projectId)).toEqual([]);
    expect(await call('GET', `/files/${id}`, { token: p.viewer })).toMatchObject({ status: 404, body: { code: 'file_not_found' } });
    expect(await call('DELETE', `/files/${id}`, { token: p.developer })).toMatchObject({ status: 404, body: { code: 'file_not_found' } });
  });

  it('answers 404 file_not_found to another project\'s token on every route naming a file, and to ids that name none', async () => {
    const a = await aProject();
    const b = await aProject();
    const id = (await upload(a.developer, 'secret-plans.pdf', Buffer.from('plans'))).body['id'] as string;
    for (const [method, path] of [['GET', `/files/${id}`], ['GET', `/files/${id}/content`], ['DELETE', `/files/${id}`]] as const) {
      const answer = await call(method, path, { token: b.developer });
      expect(answer, `${method} ${path}`).toMatchObject({ status: 404, body: { code: 'file_not_found' } });
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.text).not.toContain('secret-plans');
    }
    expect((await call('GET', '/files', { token: b.viewer })).body).toEqual({ items: [], next: null });
    for (const bad of [randomUUID(), 'not-an-id', '..%2F..%2Fetc']) {
      expect(await call('GET', `/files/${bad}`, { token: a.viewer }), bad).toMatchObject({ status: 404, body: { code: 'file_not_found' } });
      expect(await call('GET', `/files/${bad}/content`, { token: a.viewer }), bad).toMatchObject({ status: 404, body: { code: 'file_not_found' } });
    }
    expect((await download(a.viewer, id)).bytes.toString()).toBe('plans');
  });
});

describe('files in workflows', () => {
  const io = (fields: Partial<builder.IoDescription>) => builder.IoDescription.fromPartial(fields);
  const thumbs = (image: unknown) => ({
    apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'thumbs', trigger: { type: 'manual' },
    steps: [{ id: 's1', action: 'thumbnail', inputs: { image, width: 64 } }],
  });

  async function withThumbnailAction() {
    const p = await aProject();
    await service.built(anActionBuilt(p.projectId, {
      id: 'thumbnail', version: '1.0.0', inputs: [io({ name: 'image', type: 'file' }), io({ name: 'width', type: 'integer' })], outputs: [io({ name: 'url', type: 'string' })],
    }));
    return p;
  }

  it('validates { file: id } against the project\'s files, sends the file in the deploy snapshot, and refuses its deletion while deployed (409 file_in_use)', async () => {
    const p = await withThumbnailAction();
    const bytes = randomBytes(4096);
    const file = (await upload(p.developer, 'cat.jpg', bytes, 'image/jpeg')).body;
    const id = file['id'] as string;
    const validate = (image: unknown, token = p.viewer) => call('POST', '/workflows/validate', { token, body: thumbs(image) });
    expect(await validate({ file: id })).toMatchObject({ status: 200, body: { valid: true, problems: [] } });
    const unknown = { status: 422, body: { code: 'workflow_invalid', errors: [{ code: 'unknown_file', path: 'steps[0].inputs.image' }] } };
    expect(await validate({ file: randomUUID() })).toMatchObject(unknown);
    expect(await validate({ file: 'not-an-id' })).toMatchObject(unknown);
    expect(await validate({ file: id.toUpperCase() })).toMatchObject(unknown);
    const other = await withThumbnailAction();
    expect(await validate({ file: id }, other.viewer)).toMatchObject(unknown);

    const created = await call('POST', '/workflows', { token: p.developer, body: thumbs({ file: id }) });
    expect(created).toMatchObject({ status: 201, body: { valid: true } });
    const workflowId = created.body.id as string;
    await service.published();
    expect((await call('POST', `/workflows/${workflowId}/deploy`, { token: p.operator })).status).toBe(202);
    const deploys = (await eventually(service.published, (messages) => messages.some((m) => m.type === 'trellis.studio.v1.WorkflowDeployRequested')))
      .filter((m) => m.type === 'trellis.studio.v1.WorkflowDeployRequested').map((m) => pb.WorkflowDeployRequested.decode(m.content));
    expect(deploys).toHaveLength(1);
    expect(deploys[0]?.files).toEqual([{
      id, name: 'cat.jpg', object: `studio/projects/${p.projectId}/files/${id}`, size: '4096', sha256: sha256(bytes), contentType: 'image/jpeg',
    }]);

    const inUse = await call('DELETE', `/files/${id}`, { token: p.developer });
    expect(inUse).toMatchObject({ status: 409, body: { code: 'file_in_use', detail: expect.stringContaining('"thumbs"') } });
    expect(inUse.body.detail).toContain('"cat.jpg"');
    const meta = { eventId: randomUUID(), occurredAt: new Date(), projectId: p.projectId, traceId: 'runner' };
    const deploymentId = deploys[0]?.deploymentId ?? '';
    await service.fromRunner('WorkflowDeployed', runner.WorkflowDeployed.encode({ meta, workflowId, deploymentId, version: 1, site: 'local' }).finish());
    expect(await call('DELETE', `/files/${id}`, { token: p.developer })).toMatchObject({ status: 409, body: { code: 'file_in_use' } });
    expect((await download(p.viewer, id)).bytes.equals(bytes)).toBe(true);

    expect((await call('POST', `/workflows/${workflowId}/undeploy`, { token: p.operator, body: { mode: 'immediate' } })).status).toBe(202);
    const undeploy = (await eventually(service.published, (messages) => messages.some((m) => m.type === 'trellis.studio.v1.WorkflowUndeployRequested')))
      .filter((m) => m.type === 'trellis.studio.v1.WorkflowUndeployRequested').map((m) => pb.WorkflowUndeployRequested.decode(m.content))[0];
    await service.fromRunner('WorkflowUndeployed', runner.WorkflowUndeployed.encode({ meta: { ...meta, eventId: randomUUID() }, workflowId, deploymentId: undeploy?.deploymentId ?? '', version: 1 }).finish());
    expect((await call('DELETE', `/files/${id}`, { token: p.developer })).status).toBe(204);
    expect(await objectsOf(p.projectId)).toEqual([]);
    // The draft (and version 1) now name a file that is gone.
    expect((await call('GET', `/workflows/${workflowId}/problems`, { token: p.viewer })).body.problems).toMatchObject([{ code: 'unknown_file', path: 'steps[0].inputs.image' }]);
    expect(await call('POST', `/workflows/${workflowId}/deploy`, { token: p.operator, body: { version: 1 } })).toMatchObject({ status: 422, body: { code: 'workflow_invalid' } });
  });
});

describe('deleting a project (ProjectDeleted)', () => {
  it('removes its files\' rows and contents, and nothing of another project', async () => {
    const doomed = await aProject();
    const kept = await aProject();
    for (const p of [doomed, kept]) for (const name of ['a.bin', 'b.bin']) expect((await upload(p.developer, name, randomBytes(1000))).status).toBe(201);
    expect(await objectsOf(doomed.projectId)).toHaveLength(2);

    const content = authorization.ProjectDeleted.encode(authorization.ProjectDeleted.fromPartial({
      meta: { eventId: randomUUID(), occurredAt: new Date(), projectId: doomed.projectId, traceId: 'test' }, projectId: doomed.projectId, deletedBy: randomUUID(),
    })).finish();
    await handled(service.studio.database.db, QUEUE, await publishAs(service.studio.vhost.url, 'authorization', 'trellis.authorization.v1.ProjectDeleted', content));
    expect(await objectsOf(doomed.projectId)).toEqual([]);
    expect(await fileRows(doomed.projectId)).toEqual([]);
    expect(await objectsOf(kept.projectId)).toHaveLength(2);
    expect(await fileRows(kept.projectId)).toHaveLength(2);
  });
});

describe('readiness', () => {
  it('counts the object store among studio\'s dependencies', async () => {
    expect(await call('GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ready', checks: { 'object store': 'ok' } } });
  });
});
