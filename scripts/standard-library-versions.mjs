#!/usr/bin/env node
// Keeps actions/versions.lock.json: each standard library action's version and a sha256 of its
// content. The repository service builds only action versions a project has not built yet, so an
// action whose files change under the same version never reaches the projects that built it. The
// record makes that change visible: --check (a test, so make test) fails on it, and this script
// refuses to record it.
//   node scripts/standard-library-versions.mjs                 rewrite the record
//   node scripts/standard-library-versions.mjs --check         exit 1 when an action changed under its recorded version, or the record is stale
//   node scripts/standard-library-versions.mjs --actions DIR   another actions folder, its record DIR/versions.lock.json (the tests)
//
// The files are those the service commits into the library: its own listing
// (services/repository/src/infrastructure/git/library-repository.ts, loaded through vite's module
// runner as vitest loads it, no build needed), so what it skips (node_modules, .git, __pycache__,
// .venv, *.pyc, ...) is skipped here too and the two cannot drift.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultServerConditions, runnerImport } from 'vite';
import { parse } from 'yaml';

const root = path.resolve(import.meta.dirname, '..');
const RECORD = 'versions.lock.json';
const WRITE = 'node scripts/standard-library-versions.mjs';
const ABOUT = `Each standard library action's version and the sha256 of its files as the library carries them. Written by ${WRITE}; change an action, raise its version, then run it.`;

const args = process.argv.slice(2);
const check = args.includes('--check');
const actionsArg = args.includes('--actions') ? args[args.indexOf('--actions') + 1] : path.join(root, 'actions');
if (!actionsArg) throw new Error('--actions needs a folder');
const actionsDir = path.resolve(actionsArg);
const recordPath = path.join(actionsDir, RECORD);

/** A path as the messages show it: from the repository's root when inside it. */
function shown(file) {
  const relative = path.relative(root, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

async function libraryListing() {
  const conditions = ['trellis-source', ...defaultServerConditions];
  const source = path.join(root, 'services', 'repository', 'src', 'infrastructure', 'git', 'library-repository.ts');
  const { module } = await runnerImport(source, { configFile: false, logLevel: 'error', root, resolve: { conditions }, ssr: { resolve: { conditions } } });
  return module;
}

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/**
 * One line per file, sorted by path: its mode as the library's tree gives it, the sha256 of its
 * bytes (as git stores them, no filters) and its path inside the folder; the action's hash is the
 * sha256 of those lines.
 */
function contentHash(folder, files) {
  const lines = files
    .map((file) => ({ ...file, inFolder: file.path.slice(folder.length + 1) }))
    .sort((a, b) => (a.inFolder < b.inFolder ? -1 : a.inFolder > b.inFolder ? 1 : 0))
    .map((file) => `${file.executable ? '100755' : '100644'} ${sha256(readFileSync(path.join(actionsDir, file.path)))} ${file.inFolder}\n`);
  return sha256(lines.join(''));
}

/** Each action folder's version (its trellis.yaml) and content hash, by folder name. */
async function currentActions() {
  const { actionFolders, filesUnder } = await libraryListing();
  const current = {};
  for (const folder of await actionFolders(actionsDir)) {
    const manifest = parse(readFileSync(path.join(actionsDir, folder, 'trellis.yaml'), 'utf8'));
    current[folder] = { version: String(manifest?.version), sha256: contentHash(folder, await filesUnder(actionsDir, folder)) };
  }
  return current;
}

function readRecord() {
  if (!existsSync(recordPath)) return {};
  return JSON.parse(readFileSync(recordPath, 'utf8')).actions ?? {};
}

/** -1, 0 or 1 on MAJOR.MINOR.PATCH; a pre-release only tells equal numbers apart (any other is allowed). */
function compareNumbers(a, b) {
  const numbers = (version) => version.split('-')[0].split('.').map(Number);
  const [x, y] = [numbers(a), numbers(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

/**
 * What is wrong between the record and the folders. `blocking`: a change the record must not take
 * (content changed under the same version, or a version lowered); `stale`: the record is behind
 * folders that are fine, and rewriting it is the fix.
 */
function compare(recorded, current) {
  const blocking = [];
  const stale = [];
  for (const [id, now] of Object.entries(current)) {
    const before = recorded[id];
    const label = shown(path.join(actionsDir, id));
    if (!before) stale.push(`${label} is not in ${shown(recordPath)}: run ${WRITE}`);
    else if (before.version === now.version && before.sha256 !== now.sha256) {
      blocking.push(`${label}: its files changed but its version ${now.version} did not, so projects that built ${now.version} would never get the change: raise its version in trellis.yaml, then run ${WRITE}`);
    } else if (before.version !== now.version && compareNumbers(now.version, before.version) < 0) {
      blocking.push(`${label}: version ${now.version} is lower than the recorded ${before.version}: raise its version in trellis.yaml above ${before.version}, then run ${WRITE}`);
    } else if (before.version !== now.version) stale.push(`${label}: version ${now.version} is not in ${shown(recordPath)} (it records ${before.version}): run ${WRITE}`);
  }
  for (const id of Object.keys(recorded)) {
    if (!current[id]) stale.push(`${shown(recordPath)} records ${id}, which ${shown(actionsDir)} no longer has: run ${WRITE}`);
  }
  return { blocking, stale };
}

function recordText(current) {
  const actions = Object.fromEntries(Object.keys(current).sort().map((id) => [id, current[id]]));
  return `${JSON.stringify({ about: ABOUT, actions }, null, 2)}\n`;
}

const current = await currentActions();
const { blocking, stale } = compare(readRecord(), current);
const text = recordText(current);
const recordCurrent = existsSync(recordPath) && readFileSync(recordPath, 'utf8') === text;

if (check) {
  const problems = [...blocking, ...stale];
  if (problems.length === 0 && !recordCurrent) problems.push(`${shown(recordPath)} is not what ${WRITE} writes: run it`);
  for (const problem of problems) console.error(problem);
  process.exit(problems.length > 0 ? 1 : 0);
}
if (blocking.length > 0) {
  for (const problem of blocking) console.error(problem);
  console.error(`${shown(recordPath)} left as it was`);
  process.exit(1);
}
if (!recordCurrent) writeFileSync(recordPath, text);
console.log(`${shown(recordPath)}: ${Object.keys(current).length} actions${recordCurrent ? ', unchanged' : ''}`);
