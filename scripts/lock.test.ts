// The committed lock installs with `npm ci` on a clean checkout, and the check bites on a lock
// regenerated over an existing node_modules (other platforms' optional packages dropped).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const script = path.join(repoRoot, 'scripts', 'check-lock.mjs');
const scratch: string[] = [];

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function check(root: string, ...flags: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [script, '--root', root, ...flags], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

type LockEntry = { os?: string[]; cpu?: string[]; optional?: boolean };

/** What npm 11 writes over an installed tree: only this machine's optional native packages. */
function copyWithThisPlatformOnly(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'trellis-lock-test-'));
  scratch.push(root);
  const lock = JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const foreign = (entry: LockEntry) =>
    entry.optional === true && ((entry.os !== undefined && !entry.os.includes(process.platform)) || (entry.cpu !== undefined && !entry.cpu.includes(process.arch)));
  const kept = Object.entries(lock.packages).filter(([, entry]) => !foreign(entry));
  expect(kept.length).toBeLessThan(Object.keys(lock.packages).length);
  writeFileSync(path.join(root, 'package-lock.json'), JSON.stringify({ ...lock, packages: Object.fromEntries(kept) }, null, 2));
  cpSync(path.join(repoRoot, 'package.json'), path.join(root, 'package.json'));
  for (const key of Object.keys(lock.packages)) {
    if (key !== '' && !key.includes('node_modules/')) cpSync(path.join(repoRoot, key, 'package.json'), path.join(root, key, 'package.json'));
  }
  return root;
}

describe('package-lock.json', () => {
  it('is accepted by npm ci on a clean checkout', () => {
    const result = check(repoRoot);
    expect(result.output).toContain('npm ci accepts it');
    expect(result.status).toBe(0);
  });

  it('is refused when other platforms\' optional packages are missing, by the lock scan', () => {
    const result = check(copyWithThisPlatformOnly(), '--static-only');
    expect(result.status).toBe(1);
    expect(result.output).toMatch(/lacks \d+ optional package/);
  });

  it('is refused when other platforms\' optional packages are missing, by npm ci itself', () => {
    const result = check(copyWithThisPlatformOnly(), '--npm-only');
    expect(result.status).toBe(1);
    expect(result.output).toContain('npm ci refuses package-lock.json');
  });

  it('declares which dependencies may run install scripts', () => {
    const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
    expect(manifest.allowScripts).toBeDefined();
    const result = spawnSync('npm', ['install-scripts', 'ls'], { cwd: repoRoot, encoding: 'utf8' });
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/not yet covered by allowScripts/);
  });
});
