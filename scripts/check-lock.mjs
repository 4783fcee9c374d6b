#!/usr/bin/env node
// Fails when package-lock.json would not install on a clean checkout with `npm ci`.
//
// npm writes a lock without other platforms' optional packages when it is regenerated over an
// existing node_modules (npm/cli#4828); `npm ci` then refuses it on every machine. Two checks:
//  1. every optional dependency that a locked package declares is itself in the lock;
//  2. `npm ci --dry-run --ignore-scripts` accepts the lock in a scratch folder holding only the
//     manifests and the lock, as a fresh clone would.
// Usage: node scripts/check-lock.mjs [--root DIR] [--static-only | --npm-only]
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const rootIndex = args.indexOf('--root');
const root = rootIndex >= 0 ? path.resolve(args[rootIndex + 1]) : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const staticOnly = args.includes('--static-only');
const npmOnly = args.includes('--npm-only');

const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
const packages = lock.packages ?? {};

/** Where node would find `name` from the package at `from` (a lock key), or undefined. */
function resolveInLock(from, name) {
  let base = from;
  for (;;) {
    const key = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (key in packages) return key;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut >= 0 ? base.slice(0, cut) : '';
  }
}

const missing = [];
for (const [key, entry] of Object.entries(packages)) {
  for (const name of Object.keys(entry.optionalDependencies ?? {})) {
    if (!resolveInLock(key, name)) missing.push(`${name} (optional dependency of ${key || 'the root'})`);
  }
}
if (missing.length > 0 && !npmOnly) {
  console.error(`package-lock.json lacks ${missing.length} optional package(s) of other platforms:`);
  for (const line of missing.slice(0, 20)) console.error(`  ${line}`);
  if (missing.length > 20) console.error(`  ... and ${missing.length - 20} more`);
  console.error('Regenerate it without node_modules: see "Changing dependencies" in docs/development.md.');
  process.exit(1);
}
if (staticOnly) process.exit(0);

const scratch = mkdtempSync(path.join(tmpdir(), 'trellis-lock-'));
try {
  cpSync(path.join(root, 'package-lock.json'), path.join(scratch, 'package-lock.json'));
  cpSync(path.join(root, 'package.json'), path.join(scratch, 'package.json'));
  // Workspaces are the lock's entries outside node_modules ("services/studio", ...).
  for (const key of Object.keys(packages)) {
    if (key === '' || key.includes('node_modules/')) continue;
    mkdirSync(path.join(scratch, key), { recursive: true });
    cpSync(path.join(root, key, 'package.json'), path.join(scratch, key, 'package.json'));
  }
  const result = spawnSync('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: scratch,
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
  if (result.status !== 0) {
    console.error('npm ci refuses package-lock.json on a clean checkout:');
    console.error(`${result.stdout}${result.stderr}`.split('\n').filter((line) => line.includes('npm error')).slice(0, 15).join('\n'));
    process.exit(1);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log('package-lock.json: npm ci accepts it on a clean checkout');
