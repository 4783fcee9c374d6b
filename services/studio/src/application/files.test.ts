import { describe, expect, it } from 'vitest';
import type { JsonValue } from '@trellis/kernel/io';
import { createWorkflow } from './create-workflow.js';
import { deleteFile } from './delete-file.js';
import { deployWorkflow } from './deploy-workflow.js';
import { aLibraryAction, fakeChecksum, makeFakeFileContents, makeFakes } from './fakes.js';
import { validateDocument } from './read-workflow.js';
import { recordDeployAnswer } from './record-deploy-answer.js';
import { undeployWorkflow } from './undeploy-workflow.js';
import { uploadFile } from './upload-file.js';

const now = new Date('2026-12-01T10:00:00Z');

function world() {
  const fakes = makeFakes({
    projects: { p1: 'known', p2: 'known', gone: 'deleted' },
    library: [aLibraryAction({ actionId: 'resize', inputs: [{ name: 'image', type: 'file', help: '', optional: false }], outputs: [] })],
  });
  const store = makeFakeFileContents();
  let next = 0;
  const deps = { ...fakes, clock: () => now, ids: () => `id-${++next}`, contents: store.contents, checksum: fakeChecksum, siteDefault: 'local' as const };
  return { fakes, store, deps };
}

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield new TextEncoder().encode(part);
}

async function* failingAfter(part: string): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode(part);
  throw new Error('the client went away');
}

const upload = (deps: ReturnType<typeof world>['deps'], overrides: Partial<Parameters<typeof uploadFile>[1]> = {}) =>
  uploadFile(deps, { projectId: 'p1', name: 'photo.png', contentType: 'image/png; q=1', content: chunks('ab', 'c'), by: 'u1', ...overrides });

describe('uploading a file', () => {
  it('stores the content, then writes the file with its size and checksum', async () => {
    const { fakes, store, deps } = world();
    const uploaded = await upload(deps);
    const file = {
      id: 'id-1', projectId: 'p1', name: 'photo.png', contentType: 'image/png', size: 3, sha256: fakeChecksum('abc'),
      object: 'studio/projects/p1/files/id-1', createdAt: now, createdBy: 'u1',
    };
    expect(uploaded).toEqual({ ok: true, value: file });
    expect(fakes.state().files).toEqual([file]);
    expect([...store.objects.keys()]).toEqual([file.object]);
  });

  it.each([['', 'is empty'], ['a/b', 'holds a "/" or "\\" (it is one file name, not a path)'], ['x'.repeat(256), 'is longer than 255 characters']])(
    'refuses the name %j before reading a byte', async (name, reason) => {
      const { fakes, store, deps } = world();
      let read = false;
      const content = (async function* () {
        read = true;
        yield new Uint8Array([1]);
      })();
      expect(await upload(deps, { name, content })).toEqual({ ok: false, error: { type: 'InvalidFileName', reason } });
      expect([read, fakes.state().files, store.objects.size]).toEqual([false, [], 0]);
    },
  );

  it('refuses a project studio does not know, or that was deleted, before reading a byte', async () => {
    const { fakes, store, deps } = world();
    for (const projectId of ['p9', 'gone']) expect(await upload(deps, { projectId })).toEqual({ ok: false, error: { type: 'ProjectNotKnown' } });
    expect([fakes.state().files, store.objects.size]).toEqual([[], 0]);
  });

  it('throws what failed when the content fails midway, writing no row', async () => {
    const { fakes, deps } = world();
    await expect(upload(deps, { content: failingAfter('abc') })).rejects.toThrow('the client went away');
    expect(fakes.state().files).toEqual([]);
  });

  it('removes the stored content when the row cannot be written, and throws what failed (with the removal\'s failure, if it failed too)', async () => {
    const { fakes, store, deps } = world();
    let calls = 0;
    const broken = { ...deps, uow: (async (work) => (++calls % 2 === 0 ? Promise.reject(new Error('the database is down')) : fakes.uow(work))) as typeof fakes.uow };
    await expect(upload(broken)).rejects.toThrow('the database is down');
    expect([fakes.state().files, store.objects.size]).toEqual([[], 0]);
    store.failing.remove = true;
    const both = await upload(broken).catch((error: unknown) => error);
    expect(both).toBeInstanceOf(AggregateError);
    expect((both as AggregateError).errors.map((e: Error) => e.message)).toEqual(['the database is down', 'the store is down']);
  });

  it('removes the stored content when the project was deleted while it streamed in', async () => {
    const { fakes, store, deps } = world();
    const content = (async function* () {
      yield new Uint8Array([1, 2]);
      fakes.state().projects['p1'] = 'deleted';
    })();
    expect(await upload(deps, { content })).toEqual({ ok: false, error: { type: 'ProjectNotKnown' } });
    expect([fakes.state().files, store.objects.size]).toEqual([[], 0]);
  });
});

const doc = (image: JsonValue): JsonValue => ({
  apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'thumbs', trigger: { type: 'manual' },
  steps: [{ id: 's1', action: 'resize', inputs: { image } }],
});

describe('files in workflows', () => {
  it('validates { file: id } against the project\'s files, deploys the file in the snapshot, and refuses its deletion while deployed', async () => {
    const { fakes, store, deps } = world();
    const uploaded = await upload(deps);
    const other = await upload(deps, { projectId: 'p2' });
    if (!uploaded.ok || !other.ok) throw new Error('not uploaded');
    const file = uploaded.value;
    expect((await validateDocument(deps, { projectId: 'p1', document: doc({ file: file.id }) })).problems).toEqual([]);
    expect((await validateDocument(deps, { projectId: 'p1', document: doc({ file: 'id-9' }) })).problems).toMatchObject([{ code: 'unknown_file', path: ['steps', 0, 'inputs', 'image'] }]);
    expect((await validateDocument(deps, { projectId: 'p1', document: doc({ file: other.value.id }) })).problems).toMatchObject([{ code: 'unknown_file' }]);

    const created = await createWorkflow(deps, { projectId: 'p1', document: doc({ file: file.id }), by: 'u1' });
    if (!created.ok) throw new Error('not created');
    const workflowId = created.value.workflow.id;
    expect(await deployWorkflow(deps, { projectId: 'p1', workflowId, by: 'op', traceId: 't' })).toMatchObject({ ok: true });
    expect(fakes.state().outbox).toEqual([expect.objectContaining({ type: 'WorkflowDeployRequested', files: [file] })]);
    expect(fakes.state().versionUses).toContainEqual({ projectId: 'p1', workflowId, version: 1, kind: 'file', name: file.id });

    expect(await deleteFile(deps, { projectId: 'p1', fileId: file.id })).toEqual({ ok: false, error: { type: 'FileInUse', id: file.id, name: 'photo.png', workflows: ['thumbs'] } });
    expect(store.objects.has(file.object)).toBe(true);
    await undeployWorkflow(deps, { projectId: 'p1', workflowId, mode: 'immediate', by: 'op', traceId: 't' });
    await recordDeployAnswer(deps, { kind: 'undeployed', projectId: 'p1', workflowId, deploymentId: fakes.state().workflows[0]?.deployment?.id ?? '', version: 1, reason: '' });
    expect(await deleteFile(deps, { projectId: 'p1', fileId: file.id })).toEqual({ ok: true, value: undefined });
    expect(fakes.state().files.map((f) => f.id)).toEqual([other.value.id]);
    expect(store.objects.has(file.object)).toBe(false);

    // Version 1 names a file that is gone: deploying it again is refused with the problem.
    const again = await deployWorkflow(deps, { projectId: 'p1', workflowId, version: 1, by: 'op', traceId: 't' });
    expect(again).toMatchObject({ ok: false, error: { type: 'WorkflowInvalid', problems: [{ code: 'unknown_file' }] } });
  });

  it('answers FileNotFound for an unknown id or another project\'s file, deleting nothing', async () => {
    const { fakes, store, deps } = world();
    const uploaded = await upload(deps);
    if (!uploaded.ok) throw new Error('not uploaded');
    expect(await deleteFile(deps, { projectId: 'p2', fileId: uploaded.value.id })).toEqual({ ok: false, error: { type: 'FileNotFound' } });
    expect(await deleteFile(deps, { projectId: 'p1', fileId: 'id-9' })).toEqual({ ok: false, error: { type: 'FileNotFound' } });
    expect([fakes.state().files.length, store.objects.size]).toEqual([1, 1]);
  });
});
