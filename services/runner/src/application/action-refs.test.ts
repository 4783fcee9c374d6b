import { describe, expect, it } from 'vitest';
import { actionRef, releaseActions, withStepResources } from './action-refs.js';
import { aPinnedAction } from './fakes.js';
import type { ActionVersionRef } from './site.js';

describe('action references', () => {
  it('names the version\'s site, the action\'s image for it and the manifest\'s cpu and memory', () => {
    const pinned = aPinnedAction({ image: 'reg/add-one@sha256:1', resources: { cpu: 2, memoryBytes: 1024, timeoutMs: 5000 } });
    expect(actionRef('p1', pinned, 'kubernetes')).toMatchObject({
      projectId: 'p1', actionId: 'add-one', site: 'kubernetes', image: 'reg/add-one@sha256:1', resources: { cpu: 2, memoryBytes: 1024 }, timeoutMs: 5000,
    });
    const local = actionRef('p1', aPinnedAction({ resources: {} }), 'local');
    expect(local.site).toBe('local');
    expect('image' in local || 'resources' in local || 'timeoutMs' in local).toBe(false);
  });

  it.each([
    ['no override', undefined, { cpu: 2, memoryBytes: 1024 }],
    ['an empty one', {}, { cpu: 2, memoryBytes: 1024 }],
    ['cpu only', { cpu: 0.25 }, { cpu: 0.25, memoryBytes: 1024 }],
    ['memory only', { memoryBytes: 4096 }, { cpu: 2, memoryBytes: 4096 }],
    ['both', { cpu: 8, memoryBytes: 1 }, { cpu: 8, memoryBytes: 1 }],
  ])('a step\'s resources: %s', (_name, step, expected) => {
    const ref = actionRef('p1', aPinnedAction({ resources: { cpu: 2, memoryBytes: 1024 } }), 'docker');
    expect(withStepResources(ref, step).resources).toEqual(expected);
    expect(ref.resources).toEqual({ cpu: 2, memoryBytes: 1024 });
  });

  it('gives resources to an action whose manifest has none', () => {
    expect(withStepResources(actionRef('p1', aPinnedAction({ resources: {} }), 'docker'), { memoryBytes: 512 }).resources).toEqual({ memoryBytes: 512 });
  });

  it('releases each action version once per site, on the site of the version that used it', async () => {
    const released: ActionVersionRef[] = [];
    const one = aPinnedAction();
    const two = aPinnedAction({ actionId: 'two' });
    await releaseActions({ release: async (ref) => { released.push(ref); } }, 'p1', [
      { site: 'docker', actions: [one, two] }, { site: 'docker', actions: [one] }, { site: 'local', actions: [one] },
    ]);
    expect(released.map((ref) => `${ref.site} ${ref.actionId}`)).toEqual(['docker add-one', 'docker two', 'local add-one']);
  });
});
