import { describe, expect, it } from 'vitest';
import type { ScannedCommit } from './build.js';
import type { ActionDescription } from './scan-result.js';
import * as Source from './source.js';
import * as StandardLibrary from './standard-library.js';

const now = new Date('2026-01-01T00:00:00Z');
const url = 'file:///srv/trellis/.trellis/standard-library.git';

function anAction(id: string, version: string): ActionDescription {
  return {
    id, version, kind: 'Processor', name: id, description: `The ${id} action`, runtime: 'nodejs', handler: 'handler.js', categories: ['standard'],
    inputs: [], outputs: [], resources: {}, format: 'trellis', manifest: 'trellis.yaml',
  };
}

function scanned(actions: Array<[string, string]>): ScannedCommit {
  return {
    scanId: 's1', commit: 'c'.repeat(40),
    actions: actions.map(([id, version]) => ({ folder: id, action: anAction(id, version), sha256: `sha-${id}`, size: 1, object: `o/${id}`, change: 'new' as const })),
  };
}

describe('the managed source', () => {
  it('is named standard, made by trellis, managed, and takes a file:// URL whatever users may give', () => {
    const made = StandardLibrary.source({ id: 'id1', projectId: 'p1', url, now });
    expect(made).toMatchObject({ ok: true, value: { name: 'standard', url, managed: true, createdBy: 'trellis', hasCredentials: false, branch: null } });
    expect(StandardLibrary.source({ id: 'id1', projectId: 'p1', url: 'ssh://git@x/y', now }).ok).toBe(false);
  });

  it('moves to the URL the operator gives now, and only then', () => {
    const made = StandardLibrary.source({ id: 'id1', projectId: 'p1', url, now });
    if (!made.ok) throw new Error('not made');
    const later = new Date('2026-02-01T00:00:00Z');
    expect(StandardLibrary.moveTo(made.value, url, later)).toEqual({ ok: true, value: { source: made.value, moved: false } });
    expect(StandardLibrary.moveTo(made.value, 'file:///opt/trellis/lib.git', later))
      .toMatchObject({ ok: true, value: { moved: true, source: { url: 'file:///opt/trellis/lib.git', updatedAt: later, managed: true } } });
  });

  it('cannot be changed or deleted by users', () => {
    const made = StandardLibrary.source({ id: 'id1', projectId: 'p1', url, now });
    if (!made.ok) throw new Error('not made');
    expect(Source.checkUserMayChange(made.value)).toEqual({ type: 'ManagedSource' });
    expect(Source.change(made.value, { branch: 'dev' }, now, { allowFileUrls: true })).toEqual({ ok: false, error: { type: 'ManagedSource' } });
  });
});

describe('scanNeeded', () => {
  it.each([
    ['never scanned', { head: 'a', lastDoneCommit: undefined, pending: false }, true],
    ['never scanned, repository unreadable', { head: undefined, lastDoneCommit: undefined, pending: false }, true],
    ['scanned at the same commit', { head: 'a', lastDoneCommit: 'a', pending: false }, false],
    ['a new commit (a new Trellis)', { head: 'b', lastDoneCommit: 'a', pending: false }, true],
    ['a new commit, a scan already waiting or running', { head: 'b', lastDoneCommit: 'a', pending: true }, false],
    ['scanned, repository unreadable now', { head: undefined, lastDoneCommit: 'a', pending: false }, false],
  ])('%s', (_, input, expected) => {
    expect(StandardLibrary.scanNeeded(input)).toBe(expected);
  });
});

describe('actionsToBuild', () => {
  const scan = scanned([['hash', '1.0.0'], ['transform', '1.1.0'], ['log', '1.0.0']]);

  it('builds every action of a first scan', () => {
    expect(StandardLibrary.actionsToBuild(scan, [])).toEqual(['hash', 'transform', 'log']);
  });

  it('builds nothing again whose version is built or on its way', () => {
    const builds = [
      { actionId: 'hash', version: '1.0.0', status: 'built' as const },
      { actionId: 'transform', version: '1.1.0', status: 'queued' as const },
      { actionId: 'log', version: '1.0.0', status: 'running' as const },
    ];
    expect(StandardLibrary.actionsToBuild(scan, builds)).toEqual([]);
  });

  it('builds a new version, and again one whose builds all failed or were canceled', () => {
    const builds = [
      { actionId: 'hash', version: '1.0.0', status: 'built' as const },
      { actionId: 'transform', version: '1.0.0', status: 'built' as const },
      { actionId: 'log', version: '1.0.0', status: 'failed' as const },
      { actionId: 'log', version: '1.0.0', status: 'canceled' as const },
    ];
    expect(StandardLibrary.actionsToBuild(scan, builds)).toEqual(['transform', 'log']);
  });
});
