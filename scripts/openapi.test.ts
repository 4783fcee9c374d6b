// docs/openapi.json is what the services' routes describe today (the SDK is generated from it),
// and the check that says so bites on a document that drifted by one word.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const script = path.join(repoRoot, 'scripts', 'openapi.mjs');
const scratch = mkdtempSync(path.join(tmpdir(), 'trellis-openapi-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function check(document?: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [script, '--check', ...(document ? ['--document', document] : [])], { encoding: 'utf8', cwd: repoRoot });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('make openapi', () => {
  it('finds the committed docs/openapi.json up to date with the services\' routes', () => {
    const result = check();
    expect(result.output).toContain('up to date');
    expect(result.status).toBe(0);
  });

  it('holds every service\'s routes under its gateway prefix, each with an operation id', () => {
    const document = JSON.parse(readFileSync(path.join(repoRoot, 'docs', 'openapi.json'), 'utf8'));
    const prefixes = new Set(Object.keys(document.paths).map((route: string) => route.split('/')[1]));
    expect([...prefixes].sort()).toEqual(['authorization', 'builder', 'repository', 'runner', 'studio']);
    const operations = Object.values(document.paths).flatMap((item) => Object.values(item as Record<string, { operationId?: string }>));
    expect(operations.every((operation) => typeof operation.operationId === 'string')).toBe(true);
    expect(new Set(operations.map((operation) => operation.operationId)).size).toBe(operations.length);
  });

  it('fails when the document differs from the routes by one summary', () => {
    const drifted = path.join(scratch, 'openapi.json');
    const text = readFileSync(path.join(repoRoot, 'docs', 'openapi.json'), 'utf8');
    writeFileSync(drifted, text.replace('"summary": "List the project\'s builds, newest first"', '"summary": "List builds"'));
    expect(readFileSync(drifted, 'utf8')).not.toBe(text);
    const result = check(drifted);
    expect(result.status).toBe(1);
    expect(result.output).toContain('stale: run make openapi');
  });
});
