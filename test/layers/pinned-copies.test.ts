// What must live in one place lives in the shared kernel; the few copies that cannot import it
// (SQL in shipped migrations) are pinned to it here, so they cannot drift.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROLES } from '@trellis/kernel/roles';

const repo = resolve(import.meta.dirname, '../..');

function sourcesUnder(folder: string): Array<{ file: string; text: string }> {
  return readdirSync(join(repo, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => ({ file: join(folder, name), text: readFileSync(join(repo, folder, name), 'utf8') }));
}

describe('the roles', () => {
  it('are the kernel\'s in every role check of a shipped migration', () => {
    const checks = sourcesUnder('services').filter(({ file }) => file.includes('/migrations/'))
      .flatMap(({ file, text }) => [...text.matchAll(/role in \(([^)]*)\)/g)].map((match) => ({ file, roles: match[1] ?? '' })));
    expect(checks.length).toBeGreaterThan(0);
    for (const check of checks) expect({ file: check.file, roles: check.roles }).toEqual({ file: check.file, roles: ROLES.map((role) => `'${role}'`).join(', ') });
  });

  it('are spelled out nowhere else in the code: services, packages and tests import them from the kernel', () => {
    const literal = /\[\s*'viewer',\s*'operator',\s*'developer',\s*'owner'\s*\]/;
    const copies = ['services', 'packages', 'adm/src', 'test/e2e'].flatMap(sourcesUnder)
      .filter(({ file, text }) => literal.test(text) && !file.includes('/dist/') && !file.includes('node_modules') && file !== join('packages', 'kernel', 'src', 'roles.ts'));
    expect(copies.map(({ file }) => file)).toEqual([]);
  });
});

describe('the another-project-is-404 rule', () => {
  it('is decided by the kernel\'s projectAccess at the platform\'s edge and in authorization\'s domain', () => {
    const callers = ['packages/platform/src/http/app.ts', 'services/authorization/src/domain/actor.ts']
      .map((file) => readFileSync(join(repo, file), 'utf8'));
    for (const text of callers) expect(text).toMatch(/@trellis\/kernel\/project-access/);
    const elsewhere = ['services', 'packages/platform/src'].flatMap(sourcesUnder)
      .filter(({ file, text }) => !file.includes('/dist/') && /!==\s*caller\.projectId|actor\.projectId\s*!==/.test(text));
    expect(elsewhere.map(({ file }) => file)).toEqual([]);
  });
});
