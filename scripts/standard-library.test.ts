// The standard library's folders as the scan, the builder and the docs read them.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
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

  it('documents every action in docs/standard-library.md as the actions say (node scripts/standard-library-docs.mjs)', () => {
    expect(() => node('standard-library-docs.mjs', '--check')).not.toThrow();
    const page = readFileSync(path.join(root, 'docs', 'standard-library.md'), 'utf8');
    for (const id of ids) expect(page).toContain(`## ${id}\n`);
  });
});
