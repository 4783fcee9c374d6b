import { describe, expect, it } from 'vitest';
import type { IoSpec } from '@trellis/kernel/io';
import type { StaticFile } from '../domain/deployment.js';
import { callValuesOf, storedOutputs } from './call-values.js';
import type { RunObjects } from './run-objects.js';

const io = (name: string, type: IoSpec['type'], optional = false): IoSpec => ({ name, type, help: '', optional });

/** Presigned URLs as visible strings; objects "written" are those in `written`. */
function fakeObjects(written: Record<string, { size: number; contentType: string }> = {}): RunObjects {
  return {
    keyOf: (projectId, runId, ...parts) => `runner/projects/${projectId}/runs/${runId}/${parts.join('/')}`,
    runsPrefix: (projectId) => `runner/projects/${projectId}/runs/`,
    urlToRead: async (object) => `get:${object}`,
    urlToWrite: async (object) => `put:${object}`,
    describe: async (object) => written[object],
    putText: async () => undefined,
    getText: async () => '',
  };
}

const place = { projectId: 'p', runId: 'r', step: 'resize', attempt: 2 };
const action = { inputs: [io('image', 'file'), io('width', 'integer'), io('extra', 'file', true)], outputs: [io('resized', 'file'), io('tree', 'directory', true), io('n', 'integer')] };
const staticFile: StaticFile = { id: 'f1', name: 'logo.png', object: 'studio/projects/p/files/f1', size: 10, sha256: 'x', contentType: 'image/png' };

describe('callValuesOf', () => {
  it('hands stored files and a version\'s static files as presigned GET URLs, and gives every file output its own PUT URL per attempt', async () => {
    const values = await callValuesOf(fakeObjects(), action, {
      image: { object: 'runner/projects/p/runs/r/trigger/image', name: 'cat.jpg', size: 5, content_type: 'image/jpeg' }, width: 3, extra: { file: 'f1' },
    }, new Map([['f1', staticFile]]), place);
    expect(values).toEqual({
      ok: true,
      value: {
        inputs: { image: { url: 'get:runner/projects/p/runs/r/trigger/image', name: 'cat.jpg', size: 5 }, width: 3, extra: { url: 'get:studio/projects/p/files/f1', name: 'logo.png', size: 10 } },
        outputUrls: { resized: 'put:runner/projects/p/runs/r/steps/resize/2/resized', tree: 'put:runner/projects/p/runs/r/steps/resize/2/tree' },
        outputObjects: new Map([['resized', 'runner/projects/p/runs/r/steps/resize/2/resized'], ['tree', 'runner/projects/p/runs/r/steps/resize/2/tree']]),
      },
    });
  });

  it('refuses JSON shaped like a file of another project (or anywhere but the project\'s runs): nothing is presigned for it', async () => {
    const forged = { object: 'runner/projects/q/runs/r/steps/s/1/secret', name: 'secret.txt', size: 5, content_type: 'text/plain' };
    expect(await callValuesOf(fakeObjects(), action, { image: forged, width: 1 }, new Map(), place))
      .toEqual({ ok: false, error: 'image is a file input and names a file that is no file of this project\'s runs' });
  });

  it('refuses a file input that is not a file, or names a file the version does not pin', async () => {
    const values = await callValuesOf(fakeObjects(), action, { image: 'cat.jpg', width: 1, extra: { file: 'nope' } }, new Map(), place);
    expect(values).toEqual({ ok: false, error: 'image is a file input and takes a file; extra is a file input and names the uploaded file nope, which this version does not pin' });
  });

  it('leaves an action without files alone (no URL made)', async () => {
    const plain = { inputs: [io('n', 'integer')], outputs: [io('n', 'integer')] };
    expect(await callValuesOf(fakeObjects(), plain, { n: 1 }, new Map(), place)).toEqual({ ok: true, value: { inputs: { n: 1 }, outputUrls: {}, outputObjects: new Map() } });
  });
});

describe('storedOutputs', () => {
  const objects = new Map([['resized', 'k/resized'], ['tree', 'k/tree']]);
  it('keeps what the action wrote as stored files (a safe name, the size and type the store has)', async () => {
    const kept = await storedOutputs(fakeObjects({ 'k/resized': { size: 7, contentType: 'image/jpeg' }, 'k/tree': { size: 1024, contentType: 'application/octet-stream' } }), action,
      { resized: { url: 'put:k/resized', name: '../../etc/cat.jpg', size: 999 }, tree: { url: 'put:k/tree', name: 'tree', size: 1 }, n: 4 }, objects);
    expect(kept).toEqual({
      ok: true,
      value: {
        resized: { object: 'k/resized', name: 'cat.jpg', size: 7, content_type: 'image/jpeg' },
        tree: { object: 'k/tree', name: 'tree.tar', size: 1024, content_type: 'application/x-tar' },
        n: 4,
      },
    });
  });

  it('fails an output the action claims but never uploaded', async () => {
    expect(await storedOutputs(fakeObjects(), action, { resized: { url: 'put:k/resized', name: 'a.jpg', size: 1 }, n: 1 }, objects))
      .toEqual({ ok: false, error: 'output \'resized\' (file) was not uploaded' });
  });
});
