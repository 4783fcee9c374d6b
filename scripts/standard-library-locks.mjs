#!/usr/bin/env node
// Writes each standard library action's own package-lock.json (actions/<id>/package-lock.json).
// The folders are npm workspaces of this repository, so the root lock installs their dependencies
// for the tests; but the builder builds a folder alone, with `npm ci` from the folder's own lock.
// This resolves each folder's package.json on its own, in a copy, and keeps the lock it writes.
//   node scripts/standard-library-locks.mjs            every action
//   node scripts/standard-library-locks.mjs a b        those actions
//   node scripts/standard-library-locks.mjs --check    exit 1 when a lock is missing or does not fit its package.json
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', 'actions');
const args = process.argv.slice(2);
const check = args.includes('--check');
const named = args.filter((arg) => !arg.startsWith('--'));
const actions = named.length > 0 ? named : readdirSync(root).filter((name) => existsSync(join(root, name, 'package.json'))).sort();

/** A lock fits when it was made from exactly these dependencies. */
function fits(folder) {
  const lockPath = join(folder, 'package-lock.json');
  if (!existsSync(lockPath)) return 'no package-lock.json';
  const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
  const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
  const sorted = (dependencies = {}) => JSON.stringify(Object.fromEntries(Object.entries(dependencies).sort(([a], [b]) => a.localeCompare(b))));
  const wanted = sorted(manifest.dependencies);
  const locked = sorted(lock.packages?.['']?.dependencies);
  return wanted === locked ? undefined : `its lock was made from ${locked}, its package.json asks for ${wanted}`;
}

function writeLock(name) {
  const folder = join(root, name);
  const scratch = mkdtempSync(join(tmpdir(), `trellis-lock-${name}-`));
  try {
    copyFileSync(join(folder, 'package.json'), join(scratch, 'package.json'));
    const result = spawnSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--workspaces=false'], { cwd: scratch, stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`npm could not resolve actions/${name}`);
    const lock = JSON.parse(readFileSync(join(scratch, 'package-lock.json'), 'utf8'));
    writeFileSync(join(folder, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

let failed = 0;
for (const name of actions) {
  if (check) {
    const problem = fits(join(root, name));
    if (problem) {
      failed++;
      console.error(`actions/${name}: ${problem}; run node scripts/standard-library-locks.mjs ${name}`);
    }
    continue;
  }
  writeLock(name);
  console.log(`actions/${name}/package-lock.json`);
}
process.exit(failed > 0 ? 1 : 0);
