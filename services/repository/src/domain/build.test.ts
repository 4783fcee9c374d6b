import { describe, expect, it } from 'vitest';
import * as Build from './build.js';
import type { ScannedAction } from './scan-result.js';

const now = new Date('2025-01-01T00:00:00Z');
const later = new Date('2025-01-01T00:01:00Z');

function scanned(id: string): ScannedAction {
  return {
    folder: `actions/${id}`, sha256: `sha-${id}`, size: 1, object: `repository/projects/p1/sources/s1/sha-${id}.tar.gz`, change: 'new',
    action: { id, version: '1.2.0', kind: 'Processor', name: id, description: '', runtime: 'nodejs', handler: 'handler.js', categories: [], inputs: [], outputs: [], resources: {}, format: 'trellis', manifest: 'trellis.yaml' },
  };
}
const scan: Build.ScannedCommit = { scanId: 'scan-1', commit: 'c0ffee', actions: [scanned('echo'), scanned('upper')] };
let counter = 0;
const request = (extra: Partial<Parameters<typeof Build.request>[0]>) =>
  Build.request({ projectId: 'p1', sourceId: 's1', sourceName: 'actions', scanned: scan, requestedBy: 'u1', now, ids: () => `b${++counter}`, ...extra });

describe('requesting builds', () => {
  it('builds every action of the last scan, each announced', () => {
    const result = request({});
    if (!result.ok) throw new Error('rejected');
    expect(result.value.builds.map((b) => [b.actionId, b.status, b.folder, b.commit, b.sourceSha256])).toEqual([
      ['echo', 'queued', 'actions/echo', 'c0ffee', 'sha-echo'],
      ['upper', 'queued', 'actions/upper', 'c0ffee', 'sha-upper'],
    ]);
    expect(result.value.events.map((e) => [e.type, e.buildId, e.actionId, e.version, e.sourceName, e.sourceObject])).toEqual(
      result.value.builds.map((b) => ['ActionBuildRequested', b.id, b.actionId, '1.2.0', 'actions', b.sourceObject]),
    );
  });

  it('builds only those named, once each', () => {
    const result = request({ actionIds: ['upper', 'upper'] });
    expect(result.ok && result.value.builds.map((b) => b.actionId)).toEqual(['upper']);
  });

  it.each([
    ['unknown names, naming them', { actionIds: ['echo', 'nope', 'missing'] }, { type: 'UnknownActions', ids: ['nope', 'missing'] }],
    ['a source never scanned', { scanned: undefined }, { type: 'NothingScanned' }],
    ['a scan without actions', { scanned: { ...scan, actions: [] } }, { type: 'NothingToBuild' }],
    ['an empty list', { actionIds: [] }, { type: 'NothingToBuild' }],
  ])('refuses %s', (_, extra, error) => {
    expect(request(extra)).toEqual({ ok: false, error });
  });
});

describe('following a build', () => {
  const result = request({ actionIds: ['echo'] });
  const queued = result.ok ? result.value.builds[0] as Build.Build : (undefined as never);
  const started = (attempt: number): Build.Progress => ({ type: 'started', attempt, at: later });
  const built: Build.Progress = { type: 'built', digest: 'd1', artifactObject: 'a/d1.tar.gz', at: later };
  const failed = (canceled: boolean): Build.Progress => ({ type: 'failed', reason: 'npm ci failed', logTail: 'log', canceled, at: later });
  const at = (status: Build.BuildStatus, attempt = 1): Build.Build => ({ ...queued, status, attempt });

  it.each<[string, Build.Build, Build.Progress, Partial<Build.Build> | 'unchanged']>([
    ['queued, started', at('queued', 0), started(1), { status: 'running', attempt: 1, updatedAt: later }],
    ['running, started again after a restart', at('running', 1), started(2), { status: 'running', attempt: 2 }],
    ['running, a late start of an older attempt', at('running', 2), started(1), 'unchanged'],
    ['running, built', at('running'), built, { status: 'built', digest: 'd1', artifactObject: 'a/d1.tar.gz' }],
    ['queued, built (the start arrives later)', at('queued', 0), built, { status: 'built', digest: 'd1' }],
    ['running, failed', at('running'), failed(false), { status: 'failed', reason: 'npm ci failed', logTail: 'log' }],
    ['running, canceled', at('running'), failed(true), { status: 'canceled' }],
    ['built, a late start', at('built'), started(2), 'unchanged'],
    ['built, a failure', at('built'), failed(false), 'unchanged'],
    ['failed, built', at('failed'), built, 'unchanged'],
    ['canceled, started', at('canceled'), started(3), 'unchanged'],
  ])('%s', (_, build, progress, expected) => {
    const next = Build.advance(build, progress);
    if (expected === 'unchanged') expect(next).toEqual({ build, changed: false });
    else expect(next).toMatchObject({ build: expected, changed: true });
  });
});
