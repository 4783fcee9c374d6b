// Files and large values through a real engine, local site, store and wrapper processes: file
// inputs of an HTTP trigger as multipart parts, files passed between a Node and a Python action
// by presigned URLs, a single file result answered as the file, static files of a version, the
// outputs route's download, and values too large for a row kept in the store.
import { createHash, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeCall } from '@trellis/platform/testing/http-call';
import * as studio from '../src/infrastructure/pb/studio/v1/events.js';
import { useEngineRunner } from './engine-support.js';

const { service, db, build, knownProject, deploy } = useEngineRunner();
const call = makeCall(() => service.base);

let projectId = '';
let projectName = '';
let token = '';

type Problem = { code: string; errors?: unknown[] };

const userApi = (path: string, init: RequestInit) => fetch(`${new URL(service.base).origin}/user-api/${projectName}/${path}`, init);

function form(parts: Record<string, string | { name: string; text: string; type?: string }>): FormData {
  const body = new FormData();
  for (const [name, part] of Object.entries(parts)) {
    if (typeof part === 'string') body.append(name, part);
    else body.append(name, new Blob([part.text], { type: part.type ?? 'text/plain' }), part.name);
  }
  return body;
}

async function runObjects(): Promise<string[]> {
  const names: string[] = [];
  const { client } = service.store.store;
  for await (const item of client.listObjectsV2(service.store.config.bucket, `runner/projects/${projectId}/runs/`, true)) names.push((item as { name: string }).name);
  return names;
}

describe('files and large values in runs', () => {
  beforeAll(async () => {
    projectId = await knownProject();
    projectName = `p-${projectId.slice(0, 8)}`;
    token = await service.jwks.sign({ projectId, role: 'developer' });
    const [upper, lines, big] = await build(['services/runner/test/actions/file-upper', 'services/runner/test/actions/file-lines-py', 'services/runner/test/actions/big-text']) as studio.PinnedAction[];
    await deploy(projectId, {
      name: 'number-upper', trigger: { type: 'http', path: 'number-upper', auth: 'none', inputs: [{ name: 'doc', type: 'file' }] },
      steps: [
        { id: 'upper', action: 'file-upper@1.0.0', inputs: { doc: '${{ trigger.doc }}' } },
        { id: 'lines', action: 'file-lines-py@1.0.0', inputs: { doc: '${{ steps.upper.upper }}' }, needs: ['upper'] },
      ],
      results: { numbered: '${{ steps.lines.numbered }}' },
    }, [upper!, lines!]);
    await deploy(projectId, {
      name: 'both', trigger: { type: 'http', path: 'both', auth: 'none', inputs: [{ name: 'doc', type: 'file' }, { name: 'note', type: 'string' }] },
      steps: [{ id: 'upper', action: 'file-upper@1.0.0', inputs: { doc: '${{ trigger.doc }}' } }],
      results: { upper: '${{ steps.upper.upper }}', bytes: '${{ steps.upper.bytes }}', note: '${{ trigger.note }}' },
    }, [upper!]);
    const text = 'static file\n';
    const object = `studio/projects/${projectId}/files/${randomUUID()}`;
    await service.store.store.client.putObject(service.store.config.bucket, object, Buffer.from(text));
    const fileId = randomUUID();
    await deploy(projectId, {
      name: 'static', trigger: { type: 'http', path: 'static', auth: 'none', inputs: [] },
      steps: [{ id: 'upper', action: 'file-upper@1.0.0', inputs: { doc: { file: fileId } } }],
      results: { bytes: '${{ steps.upper.bytes }}', upper: '${{ steps.upper.upper }}' },
    }, [upper!], [studio.StaticFile.fromPartial({
      id: fileId, name: 'static.txt', object, size: String(text.length), sha256: createHash('sha256').update(text).digest('hex'), contentType: 'text/plain',
    })]);
    await deploy(projectId, {
      name: 'forged', trigger: { type: 'http', path: 'forged', auth: 'none', inputs: [{ name: 'data', type: 'json' }] },
      steps: [{ id: 'upper', action: 'file-upper@1.0.0', inputs: { doc: '${{ trigger.data.file }}' }, when: '${{ trigger.data.read }}' }],
      results: { data: '${{ trigger.data }}' },
    }, [upper!]);
    await deploy(projectId, {
      name: 'big', trigger: { type: 'http', path: 'big', auth: 'none', inputs: [{ name: 'text', type: 'longstring' }, { name: 'times', type: 'integer' }] },
      steps: [
        { id: 'grow', action: 'big-text@1.0.0', inputs: { text: '${{ trigger.text }}', times: '${{ trigger.times }}' } },
        { id: 'measure', action: 'big-text@1.0.0', inputs: { text: '${{ steps.grow.text }}' }, needs: ['grow'] },
      ],
      results: { length: '${{ steps.measure.length }}', text: '${{ steps.grow.text }}' },
    }, [big!]);
  }, 180_000);

  it('takes a file as a multipart part, passes files from a Node to a Python action, and answers a single file result as the file', async () => {
    const answer = await userApi('number-upper', { method: 'POST', body: form({ doc: { name: 'notes.txt', text: 'hello\nworld\n' } }) });
    if (answer.status !== 200) console.log(await answer.clone().text());
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(answer.headers.get('content-disposition')).toContain('numbered.txt');
    expect(await answer.text()).toBe('1: HELLO\n2: WORLD\n');
    const runId = answer.headers.get('trellis-run-id');
    const run = await call('GET', `/runs/${runId}`, { token });
    expect(run.body.trigger_outputs).toEqual({ doc: { name: 'notes.txt', size: 12, content_type: 'text/plain' } });
    expect(run.body.steps[0].outputs).toEqual({ upper: { name: 'notes.upper.txt', size: 12, content_type: 'text/plain' }, bytes: 12 });
    expect(run.body.steps[1].inputs).toEqual({ doc: { name: 'notes.upper.txt', size: 12, content_type: 'text/plain' } });
    expect(JSON.stringify(run.body)).not.toContain('runner/projects'); // where files are kept is not shown
    // The outputs route: a redirect to a presigned link, or the file itself.
    const redirect = await fetch(`${service.base}/runs/${runId}/steps/upper/outputs/upper`, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(await (await fetch(redirect.headers.get('location') as string)).text()).toBe('HELLO\nWORLD\n');
    const inline = await fetch(`${service.base}/runs/${runId}/steps/upper/outputs/upper?inline=true`, { headers: { authorization: `Bearer ${token}` } });
    expect(await inline.text()).toBe('HELLO\nWORLD\n');
    // Every object of the run goes with it.
    expect((await runObjects()).filter((name) => name.includes(`/runs/${runId}/`))).toHaveLength(3);
    expect((await call('DELETE', `/runs/${runId}`, { token })).status).toBe(204);
    expect((await runObjects()).filter((name) => name.includes(`/runs/${runId}/`))).toEqual([]);
  }, 60_000);

  it('answers 410 run_file_gone for a file output or result whose object is gone from the store, not a 500', async () => {
    const answer = await userApi('number-upper', { method: 'POST', body: form({ doc: { name: 'gone.txt', text: 'a\n' } }) });
    expect(answer.status).toBe(200);
    const runId = answer.headers.get('trellis-run-id') as string;
    const objects = (await runObjects()).filter((name) => name.includes(`/runs/${runId}/`));
    expect(objects).toHaveLength(3);
    await service.store.store.client.removeObjects(service.store.config.bucket, objects);
    for (const path of [`/runs/${runId}/steps/upper/outputs/upper?inline=true`, `/runs/${runId}/result`]) {
      const gone = await call('GET', path, { token });
      expect([path, gone.status, gone.headers.get('content-type')?.split(';')[0]]).toEqual([path, 410, 'application/problem+json']);
      expect((gone.body as Problem).code).toBe('run_file_gone');
    }
  }, 60_000);

  it('answers results holding files and other values as JSON, each file with a download link', async () => {
    const answer = await userApi('both', { method: 'POST', body: form({ note: 'hi', doc: { name: 'a b ü.txt', text: 'abc' } }) });
    expect(answer.status).toBe(200);
    const body = await answer.json() as { upper: { url: string }; bytes: number; note: string };
    expect(body).toEqual({ upper: { name: 'a b ü.upper.txt', size: 3, content_type: 'text/plain', url: expect.stringMatching(/^http/) }, bytes: 3, note: 'hi' });
    const download = await fetch(body.upper.url);
    expect(await download.text()).toBe('ABC');
  }, 60_000);

  it('gives a version\'s static file ({ file: id }) to its action', async () => {
    const answer = await userApi('static', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ bytes: 12, upper: { name: 'static.upper.txt', size: 12 } });
  }, 60_000);

  it('refuses file inputs sent any other way, and keeps no file of a refused request', async () => {
    const before = await runObjects();
    const json = await userApi('both', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ doc: 'x', note: 'n' }) });
    expect(json.status).toBe(400);
    expect(((await json.json()) as Problem).errors).toEqual([expect.objectContaining({ path: 'body.doc', code: 'file_needs_multipart' })]);
    const wrong = await userApi('both', { method: 'POST', body: form({ doc: { name: 'a.txt', text: 'abc' }, note: { name: 'n.txt', text: 'file for a text input' } }) });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as Problem).errors).toEqual([expect.objectContaining({ path: 'form.note', code: 'type_mismatch' })]);
    const missing = await userApi('both', { method: 'POST', body: form({ doc: 'just text', note: 'n' }) });
    expect(((await missing.json()) as Problem).errors).toEqual([expect.objectContaining({ path: 'form.doc', code: 'file_expected' })]);
    const broken = await userApi('both', { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=xyz' }, body: '--xyz\r\nContent-Disposition: form-data; name="doc"; filename="a"\r\n\r\nabc' });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as Problem).code).toBe('invalid_multipart');
    expect(await runObjects()).toEqual(before);
  }, 60_000);

  it('keeps values larger than a row in the store: rows hold a reference, the run, its result and the outputs route give the whole value', async () => {
    const answer = await userApi('big', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'abcdefghij', times: 10_000 }) });
    expect(answer.status).toBe(200);
    const text = 'abcdefghij'.repeat(10_000);
    const body = await answer.json() as { length: number; text: string };
    expect(body.length).toBe(100_000);
    expect(body.text === text).toBe(true); // not toEqual: a 100 kB diff helps nobody
    const runId = answer.headers.get('trellis-run-id') as string;
    const steps = await db().selectFrom('step_runs').select(['step_id', 'inputs', 'outputs']).where('run_id', '=', runId).orderBy('step_id').execute();
    const stored = { $stored: expect.stringContaining(`runner/projects/${projectId}/runs/${runId}/values/`), size: 100_002 };
    expect(steps).toEqual([
      { step_id: 'grow', inputs: { text: 'abcdefghij', times: 10_000 }, outputs: { text: stored, length: 10 } },
      { step_id: 'measure', inputs: { text: stored, times: 1 }, outputs: { text: stored, length: 100_000 } },
    ]);
    const row = await db().selectFrom('runs').select('results').where('id', '=', runId).executeTakeFirstOrThrow();
    expect(row.results).toEqual({ length: 100_000, text: stored });
    const result = (await call('GET', `/runs/${runId}/result`, { token })).body as { length: number; text: string };
    expect([result.length, result.text === text]).toEqual([100_000, true]);
    const output = (await call('GET', `/runs/${runId}/steps/grow/outputs/text`, { token })).body as unknown;
    expect([typeof output, output === text]).toEqual(['string', true]);
    const detail = await call('GET', `/runs/${runId}`, { token });
    expect(detail.body.steps[0].outputs).toEqual({ text: { $large: true, size: 100_002 }, length: 10 });
  }, 60_000);

  it('never follows JSON shaped like another project\'s file or stored value: no link, no read, no presigned URL for an action', async () => {
    const secret = `runner/projects/${randomUUID()}/runs/${randomUUID()}/steps/s/1/out`;
    await service.store.store.client.putObject(service.store.config.bucket, secret, Buffer.from('THEIR SECRET'));
    const file = { object: secret, name: 'secret.txt', size: 12, content_type: 'text/plain' };
    const post = (data: unknown) => userApi('forged', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data }) });
    // As a result: plain JSON, no download link, not the file.
    const shown = await post({ file, read: false });
    expect(shown.status).toBe(200);
    expect(await shown.json()).toEqual({ data: { file, read: false } });
    // As a stored value: the result read back from the database keeps the lookalike as it is.
    const marker = { $stored: secret, size: 12 };
    const stored = await post({ file: marker, read: false });
    const runId = stored.headers.get('trellis-run-id') as string;
    expect((await call('GET', `/runs/${runId}/result`, { token })).body).toEqual({ data: { file: marker, read: false } });
    // As an action's file input: refused before the call.
    const given = await post({ file, read: true });
    expect(given.status).toBe(500);
    const failed = await call('GET', `/runs/${given.headers.get('trellis-run-id') ?? (await given.json() as { run_id: string }).run_id}`, { token });
    expect(failed.body.steps[0]).toMatchObject({ status: 'failed', error: { code: 'invalid_inputs' } });
    expect(failed.body.steps[0].error.message).toContain('no file of this project');
  }, 60_000);
});
