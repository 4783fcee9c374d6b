import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectNames } from '@trellis/platform/testing/service-harness';
import { makeTestRepository, RYAX_ACTION, SYNTAX_ERROR, UNKNOWN_FIELD, type TestRepository } from './git-fixtures.js';
import { scanOnce, useRepository } from './support.js';

const service = useRepository();
let repo: TestRepository;
let project: Awaited<ReturnType<typeof service.project>>;
let token: string;
let sourceId: string;

beforeAll(async () => {
  repo = await makeTestRepository();
  await repo.copyExample('echo', 'actions/echo');
  await repo.copyExample('uppercase', 'actions/uppercase');
  await repo.commit({
    ...Object.fromEntries(Object.entries(RYAX_ACTION).map(([name, content]) => [`ryax/count/${name}`, content])),
    ...Object.fromEntries(Object.entries(UNKNOWN_FIELD).map(([name, content]) => [`broken/field/${name}`, content])),
    ...Object.fromEntries(Object.entries(SYNTAX_ERROR).map(([name, content]) => [`broken/syntax/${name}`, content])),
    'node_modules/ignored/trellis.yaml': 'not: an action\n',
    'README.md': '# actions\n',
  }, 'actions');
  project = await service.project();
  token = await project.token('developer');
  const created = await service.call('POST', '/sources', { token, body: { name: 'actions', url: repo.fileUrl } });
  expect(created.status).toBe(201);
  sourceId = created.body.id;
});
afterAll(() => repo?.close());

describe('a scan of a real git repository', () => {
  let first: Awaited<ReturnType<typeof scanOnce>>;
  beforeAll(async () => {
    first = await scanOnce(service, token, sourceId);
  });

  it('records the commit and branch, and finds every valid action (Node, Python, Ryax) with its I/O', async () => {
    expect(first).toMatchObject({ status: 'done', commit: await repo.git('rev-parse', 'HEAD'), branch: 'main', error: null });
    expect(first.actions.map((a: { id: string; folder: string; kind: string; runtime: string; format: string; change: string }) => [a.id, a.folder, a.kind, a.runtime, a.format, a.change])).toEqual([
      ['echo', 'actions/echo', 'Processor', 'nodejs', 'trellis', 'new'],
      ['uppercase', 'actions/uppercase', 'Processor', 'python', 'trellis', 'new'],
      ['ryax-count', 'ryax/count', 'Processor', 'python', 'ryax', 'new'],
    ]);
    const echo = first.actions[0];
    expect(echo).toMatchObject({ version: '1.0.0', name: 'Echo', manifest: 'trellis.yaml', handler: 'handler.js', categories: ['examples'], build: null });
    expect(echo.inputs).toEqual([{ name: 'text', type: 'string', help: 'What to say back', optional: false, has_secret_default: false }]);
    expect(echo.resources).toEqual({ cpu: 0.1, memory_bytes: 64 * 1024 * 1024, timeout_ms: 10_000 });
    expect(first.actions[2].outputs).toEqual([expect.objectContaining({ name: 'count', type: 'integer' })]);
  });

  it('reports each problem of the broken actions with its file, line and column', () => {
    expect(first.problems).toEqual([
      expect.objectContaining({ folder: 'broken/field', file: 'broken/field/trellis.yaml', line: 5, column: 1, code: 'unknown_field' }),
      expect.objectContaining({ folder: 'broken/syntax', file: 'broken/syntax/handler.py', line: 2, code: 'handler_syntax_error' }),
    ]);
    expect(first.problems[0].message).toMatch(/colour/);
  });

  it('stores a deterministic tarball of each valid folder under the source\'s key, named by its SHA-256', async () => {
    const names = await objectNames(service.store);
    for (const action of first.actions) {
      const key = `repository/projects/${project.id}/sources/${sourceId}/${action.source_sha256}.tar.gz`;
      expect(names).toContain(key);
      const bytes = Buffer.concat(await streamToBuffers(await service.store.store.client.getObject(service.store.config.bucket, key)));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(action.source_sha256);
      expect(bytes.length).toBe(action.source_size);
    }
    expect(names.filter((name) => name.includes('/sources/'))).toHaveLength(3);
  });

  it('shows the scan as the source\'s last scan, and in the source list with its counts', async () => {
    const source = await service.call('GET', `/sources/${sourceId}`, { token });
    expect(source.body.last_scan).toEqual(first);
    const list = await service.call('GET', '/sources', { token });
    expect(list.body.items).toEqual([expect.objectContaining({ id: sourceId, last_scan: expect.objectContaining({ id: first.id, status: 'done', action_count: 3, problem_count: 2 }) })]);
  });

  it('after one file changes and one action is deleted, marks exactly that action changed, the deleted one removed, the others unchanged', async () => {
    const echoHandler = await repo.git('show', 'HEAD:actions/echo/handler.js');
    const commit = await repo.commit({ 'actions/echo/handler.js': `${echoHandler}\n// a change\n`, 'ryax/count': null });
    const second = await scanOnce(service, token, sourceId);
    expect(second.commit).toBe(commit);
    expect(second.actions.map((a: { id: string; change: string }) => [a.id, a.change])).toEqual([['echo', 'changed'], ['uppercase', 'unchanged']]);
    expect(second.removed).toEqual([{ id: 'ryax-count', version: '1.0.0', folder: 'ryax/count' }]);
    const sha = (scan: typeof first, id: string) => scan.actions.find((a: { id: string }) => a.id === id).source_sha256;
    expect(sha(second, 'uppercase')).toBe(sha(first, 'uppercase'));
    expect(sha(second, 'echo')).not.toBe(sha(first, 'echo'));
    const history = await service.call('GET', `/sources/${sourceId}/scans`, { token });
    expect(history.body.items.map((s: { id: string }) => s.id)).toEqual([second.id, first.id]);
  });
});

async function streamToBuffers(stream: NodeJS.ReadableStream): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return chunks;
}

describe('an action at the root of its repository', () => {
  it('is found in folder "" and packed without git\'s own folder', async () => {
    const rooted = await makeTestRepository();
    try {
      await rooted.copyExample('echo', '.');
      await rooted.commit({});
      const created = await service.call('POST', '/sources', { token, body: { name: 'rooted', url: rooted.fileUrl } });
      const scan = await scanOnce(service, token, created.body.id);
      expect(scan.actions.map((a: { id: string; folder: string }) => [a.id, a.folder])).toEqual([['echo', '']]);
      const key = `repository/projects/${project.id}/sources/${created.body.id}/${scan.actions[0].source_sha256}.tar.gz`;
      const bytes = Buffer.concat(await streamToBuffers(await service.store.store.client.getObject(service.store.config.bucket, key)));
      const listing = execFileSync('tar', ['-tzf', '-'], { input: bytes }).toString('utf8').split('\n').filter(Boolean).sort();
      expect(listing).toEqual(['./', './handler.js', './package.json', './trellis.yaml']);
    } finally {
      await rooted.close();
    }
  });
});

describe('metrics', () => {
  it('count the scans by outcome', async () => {
    const metrics = await (await fetch(`${service.base}/metrics`)).text();
    expect(metrics).toMatch(/scans_total\{outcome="done",service="repository"\} [1-9]/);
    expect(metrics).toContain('scan_duration_seconds_bucket');
  });
});
