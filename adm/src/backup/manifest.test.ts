import { describe, expect, it } from 'vitest';
import { compareVersions, compatibilityProblems, parseManifest, partProblems, type Manifest } from './manifest.js';

const sha = 'a'.repeat(64);
const manifest: Manifest = {
  format: 1,
  instance: { name: 'trellis', id: 'id' },
  trellisVersion: '0.1.0',
  schemas: { runner: '0003_b', studio: null },
  createdAt: '2026-12-03T00:00:00.000Z',
  keys: { secretKeyCheck: 'c', runnerPublicKey: 'p', included: false },
  parts: [{ path: 'databases/runner.dump', size: 3, sha256: sha }],
};

describe('manifest', () => {
  it('parses its own JSON and refuses another format', () => {
    expect(parseManifest(JSON.stringify(manifest))).toEqual({ manifest });
    expect(parseManifest(JSON.stringify({ ...manifest, format: 2 }))).toEqual({ problem: 'manifest.json has format 2; this trellis-adm reads format 1' });
    expect(parseManifest('nope')).toEqual({ problem: 'manifest.json is not JSON' });
    expect(parseManifest(JSON.stringify({ ...manifest, parts: [{ path: 'x', size: -1, sha256: sha }] }))).toHaveProperty('problem');
  });

  it('takes an older or equal schema, refuses a newer schema or Trellis', () => {
    expect(compatibilityProblems(manifest, '0.1.0', { runner: '0003_b', studio: '0001' })).toEqual([]);
    expect(compatibilityProblems(manifest, '0.2.0', { runner: '0004_c', studio: '0001' })).toEqual([]);
    expect(compatibilityProblems(manifest, '0.1.0', { runner: '0002_a', studio: null })).toEqual([
      "runner's schema in the backup (0003_b) is newer than this Trellis's (0002_a): update Trellis first",
    ]);
    expect(compatibilityProblems({ ...manifest, trellisVersion: '0.10.0' }, '0.9.1', { runner: '0003_b', studio: null })).toEqual([
      'the backup is from Trellis 0.10.0, newer than this one (0.9.1): update Trellis first',
    ]);
    expect(compareVersions('1.2', '1.2.0')).toBe(0);
  });

  it('names the part that is missing, of another size or another sha256, or not listed', () => {
    const order = ['manifest.json', 'databases/runner.dump'];
    expect(partProblems(manifest, new Map([['databases/runner.dump', { size: 3, sha256: sha }]]), order)).toBeUndefined();
    expect(partProblems(manifest, new Map(), ['manifest.json'])).toMatch(/^databases\/runner\.dump: listed in the manifest, missing/);
    expect(partProblems(manifest, new Map([['databases/runner.dump', { size: 2, sha256: sha }]]), order)).toBe('databases/runner.dump: 2 bytes, the manifest says 3');
    expect(partProblems(manifest, new Map([['databases/runner.dump', { size: 3, sha256: 'b'.repeat(64) }]]), order)).toMatch(/sha256 is not the manifest's/);
    expect(partProblems(manifest, new Map([['databases/runner.dump', { size: 3, sha256: sha }], ['x', { size: 1, sha256: sha }]]), [...order, 'x'])).toBe('x: in the archive but not in its manifest');
  });
});
