import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestObjectStore, type TestObjectStore } from '@trellis/platform/testing/object-store';
import { makeProjectObjects, projectPrefix } from '../src/infrastructure/object-store/project-objects.js';
import { objectNames, putObjects } from './fixtures.js';

let store: TestObjectStore;
beforeAll(async () => {
  store = await startTestObjectStore();
});
afterAll(() => store?.close());

describe('the project objects adapter', () => {
  it('removes every object under the project prefix, batch after batch, and nothing else', async () => {
    const projectId = randomUUID();
    const other = randomUUID();
    const mine = Array.from({ length: 7 }, (_, i) => `action-builder/projects/${projectId}/dir-${i % 3}/object-${i}.bin`);
    const theirs = [`action-builder/projects/${other}/object.bin`, `action-builder/projects/${projectId}.txt`, `action-builder/projects/${projectId}`, 'top-level.txt'];
    await putObjects(store, [...mine, ...theirs]);

    const objects = makeProjectObjects(store.store, { batchSize: 3 });
    expect(await objects.deleteAll(projectId)).toEqual({ deleted: 7 });
    expect(await objectNames(store)).toEqual([...theirs].sort());
    expect(await objects.deleteAll(projectId)).toEqual({ deleted: 0 });
  });

  it('refuses to form a prefix from anything but a lowercase project id', () => {
    expect(projectPrefix('0b3c0a5e-8d7f-4b8e-9a51-6a1f1c2d3e4f')).toBe('action-builder/projects/0b3c0a5e-8d7f-4b8e-9a51-6a1f1c2d3e4f/');
    for (const bad of ['', '*', '../x', '0B3C0A5E-8D7F-4B8E-9A51-6A1F1C2D3E4F', 'projects']) expect(() => projectPrefix(bad)).toThrow();
  });
});
