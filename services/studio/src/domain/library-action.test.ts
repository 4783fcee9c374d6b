import { describe, expect, it } from 'vitest';
import * as Library from './library-action.js';

function aLibraryAction(overrides: Partial<Library.LibraryAction> = {}): Library.LibraryAction {
  return {
    projectId: 'p1', actionId: 'add-one', version: '1.0.0', kind: 'Processor', name: 'Add one', description: 'Adds one to n.',
    runtime: 'nodejs', format: 'trellis', categories: ['math'], inputs: [{ name: 'n', type: 'integer', help: '', optional: false }],
    outputs: [{ name: 'n', type: 'integer', help: '', optional: false }], resources: {}, digest: 'a'.repeat(64),
    artifactObject: 'action-builder/projects/p1/artifacts/a.tar.gz', artifactSize: 10, images: {}, logo: null,
    origin: { sourceId: 's1', commit: 'c1', folder: 'add-one', buildId: 'b1' }, builtAt: new Date('2026-11-01T10:00:00Z'),
    ...overrides,
  };
}

describe('arrival of a built version', () => {
  const held = aLibraryAction();
  it.each([
    ['a version the library does not hold', undefined, aLibraryAction(), 'insert'],
    ['the same build again (a redelivery)', held, aLibraryAction(), 'unchanged'],
    ['a newer build of the same version', held, aLibraryAction({ digest: 'b'.repeat(64), origin: { ...held.origin, buildId: 'b2' }, builtAt: new Date('2026-11-02T10:00:00Z') }), 'replace'],
    ['an older build arriving late', held, aLibraryAction({ digest: 'c'.repeat(64), origin: { ...held.origin, buildId: 'b0' }, builtAt: new Date('2026-10-30T10:00:00Z') }), 'stale'],
  ] as const)('%s: %s', (_case, current, built, expected) => {
    expect(Library.arrival(current, built)).toBe(expected);
  });
});

describe('library search', () => {
  const action = aLibraryAction({ actionId: 'resize-image', name: 'Resize image', description: 'Scale a picture.', categories: ['images'] });
  it.each([
    ['', true], ['  ', true], ['resize', true], ['IMAGE', true], ['picture', true], ['images', true], ['video', false],
  ] as const)('"%s" -> %s', (text, expected) => {
    expect(Library.matches(action, text)).toBe(expected);
  });
});
