// The standard library's folders as the scan, the builder and the docs read them.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAction } from '@trellis/action-manifest/load';
import { formatProblem } from '@trellis/action-manifest/problem';

const root = path.resolve(import.meta.dirname, '..');
const actionsDir = path.join(root, 'actions');
const ids = readdirSync(actionsDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(path.join(actionsDir, entry.name, 'trellis.yaml')))
  .map((entry) => entry.name)
  .sort();

const node = (script: string, ...args: string[]) => execFileSync(process.execPath, [path.join(root, 'scripts', script), ...args], { cwd: root, stdio: 'pipe' });

describe('the standard library', () => {
  it('has the actions and triggers issue 19 asks for', () => {
    expect(ids).toEqual(expect.arrayContaining([
      'http-request', 'transform', 'fail', 'log', 'send-email', 's3-get', 's3-put', 's3-list', 'sql-query',
      'csv-to-json', 'json-to-csv', 'zip', 'unzip', 'render-template', 'hash', 'hmac',
      'amqp-consume', 'mqtt-subscribe', 'nats-subscribe', 'redis-stream', 'poll-http', 'watch-s3',
    ]));
  });

  it.each(ids)('%s loads as the scan reads it: no problem, its folder name as id, category standard, a logo, a README with an example step', async (id) => {
    const folder = path.join(actionsDir, id);
    const loaded = await loadAction(folder);
    expect(loaded.ok ? [] : loaded.problems.map(formatProblem)).toEqual([]);
    if (!loaded.ok) return;
    expect(loaded.definition.id).toBe(id);
    expect(loaded.definition.categories).toContain('standard');
    expect(loaded.definition.logo, 'a logo').toBeDefined();
    const readme = readFileSync(path.join(folder, 'README.md'), 'utf8');
    expect(readme).toMatch(new RegExp(`action: ${id}\\b`));
  });

  it('keeps every copy of a shared file (actions/shared/: ActionError, the network guard, the S3 client) the same as the shared one', () => {
    expect(() => node('standard-library-shared.mjs', '--check')).not.toThrow();
  });

  it('gives every action folder its own lock, made from its package.json (the builder runs npm ci in the folder alone)', () => {
    expect(() => node('standard-library-locks.mjs', '--check')).not.toThrow();
  });

  it('records every action\'s version and content in actions/versions.lock.json, and no action changed under its recorded version (node scripts/standard-library-versions.mjs)', () => {
    expect(() => node('standard-library-versions.mjs', '--check')).not.toThrow();
  });

  it('documents every action in docs/standard-library.md as the actions say (node scripts/standard-library-docs.mjs)', () => {
    expect(() => node('standard-library-docs.mjs', '--check')).not.toThrow();
    const page = readFileSync(path.join(root, 'docs', 'standard-library.md'), 'utf8');
    for (const id of ids) expect(page).toContain(`## ${id}\n`);
  });
});

describe('the version record (scripts/standard-library-versions.mjs) on a copy of two actions', () => {
  const RAISE = 'raise its version in trellis.yaml, then run node scripts/standard-library-versions.mjs';
  let copy: string;
  const versions = (...args: string[]) => {
    const result = spawnSync(process.execPath, [path.join(root, 'scripts', 'standard-library-versions.mjs'), '--actions', copy, ...args], { cwd: root, encoding: 'utf8' });
    return { status: result.status, stderr: result.stderr };
  };
  const record = () => readFileSync(path.join(copy, 'versions.lock.json'), 'utf8');
  const setVersion = (id: string, version: string) => {
    const manifest = path.join(copy, id, 'trellis.yaml');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(/^version: .*$/m, `version: "${version}"`));
  };

  beforeEach(() => {
    copy = mkdtempSync(path.join(tmpdir(), 'trellis-versions-'));
    for (const id of ['hash', 'log']) cpSync(path.join(actionsDir, id), path.join(copy, id), { recursive: true, filter: (source) => !source.includes('node_modules') });
    expect(versions().status).toBe(0);
  });
  afterEach(() => rmSync(copy, { recursive: true, force: true }));

  it('passes on an unchanged tree, and on what the library leaves out (node_modules, __pycache__, *.pyc)', () => {
    expect(versions('--check')).toEqual({ status: 0, stderr: '' });
    mkdirSync(path.join(copy, 'hash', 'node_modules', 'left-out'), { recursive: true });
    writeFileSync(path.join(copy, 'hash', 'node_modules', 'left-out', 'index.js'), 'installed');
    mkdirSync(path.join(copy, 'log', '__pycache__'));
    writeFileSync(path.join(copy, 'log', '__pycache__', 'handler.cpython-312.pyc'), 'cache');
    writeFileSync(path.join(copy, 'log', 'handler.pyc'), 'cache');
    expect(versions('--check')).toEqual({ status: 0, stderr: '' });
  });

  it('fails on a changed file under the same version, naming the action and what to do, and will not record it', () => {
    writeFileSync(path.join(copy, 'hash', 'handler.js'), `${readFileSync(path.join(copy, 'hash', 'handler.js'), 'utf8')}\n// changed\n`);
    const checked = versions('--check');
    expect(checked.status).toBe(1);
    expect(checked.stderr).toContain('hash: its files changed but its version 1.0.0 did not');
    expect(checked.stderr).toContain(RAISE);
    expect(checked.stderr).not.toMatch(/\/log\b/);
    const before = record();
    expect(versions().status).toBe(1);
    expect(record()).toBe(before);
  });

  it('fails on a file made executable (the library keeps the mode) and on a new file, as on a changed one', () => {
    chmodSync(path.join(copy, 'log', 'handler.js'), 0o755);
    expect(versions('--check').stderr).toContain(`log: its files changed but its version 1.0.0 did not, so projects that built 1.0.0 would never get the change: ${RAISE}`);
    chmodSync(path.join(copy, 'log', 'handler.js'), 0o644);
    writeFileSync(path.join(copy, 'hash', 'notes.md'), 'new');
    expect(versions('--check')).toMatchObject({ status: 1, stderr: expect.stringContaining(`hash: its files changed`) });
  });

  it('passes once the version is raised and the record rewritten; a stale record fails until then', () => {
    writeFileSync(path.join(copy, 'hash', 'handler.js'), '// changed\n');
    setVersion('hash', '1.0.1');
    const stale = versions('--check');
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('hash: version 1.0.1 is not in');
    expect(stale.stderr).toContain('run node scripts/standard-library-versions.mjs');
    expect(versions().status).toBe(0);
    expect(JSON.parse(record()).actions.hash.version).toBe('1.0.1');
    expect(versions('--check')).toEqual({ status: 0, stderr: '' });
  });

  it('fails on a lowered version, an action left out of the record and a recorded action that is gone', () => {
    setVersion('log', '0.9.0');
    expect(versions('--check').stderr).toContain('log: version 0.9.0 is lower than the recorded 1.0.0');
    setVersion('log', '1.0.0');
    cpSync(path.join(actionsDir, 'fail'), path.join(copy, 'fail'), { recursive: true });
    expect(versions('--check').stderr).toContain('fail is not in');
    rmSync(path.join(copy, 'fail'), { recursive: true });
    rmSync(path.join(copy, 'hash'), { recursive: true });
    expect(versions('--check')).toMatchObject({ status: 1, stderr: expect.stringContaining('records hash, which') });
    expect(versions().status).toBe(0);
    expect(Object.keys(JSON.parse(record()).actions)).toEqual(['log']);
  });
});
