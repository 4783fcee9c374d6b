// Workflows through studio's HTTP API, on a real database and broker: drafts, lists, YAML in and
// out, validation.
import { describe, expect, it } from 'vitest';
import { useStudio } from './fixtures.js';
import { makeCall } from './http-calls.js';
import { aProject, documentWith, EVERYTHING_YAML, OTHER_TRIGGERS, YAML } from './workflow-support.js';

const service = useStudio();
const call = makeCall(() => service.studio.base);

const simple = (name: string, extra: object = {}) => ({ ...documentWith(name, { type: 'manual' }), ...extra });

describe('drafts', () => {
  it('creates, reads, replaces (GET, edit, PUT back), merge-patches and deletes a workflow', async () => {
    const p = await aProject(service, call);
    const created = await call('POST', '/workflows', { token: p.developer, body: simple('first', { title: 'First' }) });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.headers.get('location')).toBe(`/studio/workflows/${id}`);
    expect(created.body).toEqual({
      apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'first', title: 'First', trigger: { type: 'manual' },
      steps: [{ id: 's1', action: 'add-one@1.1.0', inputs: { n: 1 } }],
      id, problems: [], valid: true, latest_version: null, deployment: null,
      created_at: expect.any(String), created_by: p.users.developer, updated_at: expect.any(String), updated_by: p.users.developer,
    });
    expect(Object.keys(created.body).slice(0, 6)).toEqual(['apiVersion', 'kind', 'name', 'title', 'trigger', 'steps']);

    const read = await call('GET', `/workflows/${id}`, { token: p.viewer });
    expect(read).toMatchObject({ status: 200, body: created.body });
    const edited = { ...read.body, description: 'Edited', name: 'renamed' };
    const replaced = await call('PUT', `/workflows/${id}`, { token: p.owner, body: edited });
    expect(replaced).toMatchObject({ status: 200, body: { id, name: 'renamed', description: 'Edited', created_by: p.users.developer, updated_by: p.users.owner, valid: true } });

    const patched = await call('PATCH', `/workflows/${id}`, {
      token: p.developer, contentType: 'application/merge-patch+json', body: { description: null, title: 'Patched', results: { n: '${{ steps.s1.n }}' } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ title: 'Patched', results: { n: '${{ steps.s1.n }}' }, valid: true });
    expect(patched.body).not.toHaveProperty('description');
    expect(Object.keys(patched.body).indexOf('results')).toBe(Object.keys(patched.body).indexOf('steps') + 1);

    expect((await call('DELETE', `/workflows/${id}`, { token: p.developer })).status).toBe(204);
    expect(await call('GET', `/workflows/${id}`, { token: p.viewer })).toMatchObject({ status: 404, body: { code: 'workflow_not_found' } });
    expect(await call('DELETE', `/workflows/${id}`, { token: p.developer })).toMatchObject({ status: 404, body: { code: 'workflow_not_found' } });
  });

  it('pins `action: id` to the newest build on save and keeps `id@version` as written', async () => {
    const p = await aProject(service, call);
    const created = await call('POST', '/workflows', {
      token: p.developer, body: documentWith('pins', { type: 'manual' }, [{ id: 'a', action: 'add-one', inputs: { n: 1 } }, { id: 'b', action: 'add-one@1.0.0', inputs: { n: 2 } }]),
    });
    expect(created.body.steps.map((step: { action: string }) => step.action)).toEqual(['add-one@1.1.0', 'add-one@1.0.0']);
    const trigger = await call('POST', '/workflows', { token: p.developer, body: documentWith('by-action', OTHER_TRIGGERS.action) });
    expect(trigger.body.trigger.action).toBe('listen@0.3.0');
  });

  it('saves a draft with problems and lists them all; refuses a document it cannot name (422) and a taken name (409)', async () => {
    const p = await aProject(service, call);
    const broken = await call('POST', '/workflows', {
      token: p.developer,
      body: { ...simple('broken'), steps: [{ id: 's1', action: 'ghost' }, { id: 's2', action: 'add-one', inputs: { n: '${{ steps.s9.n }}', m: 1 } }], extra: true },
    });
    expect(broken.status).toBe(201);
    expect(broken.body.valid).toBe(false);
    expect(broken.body.problems.map((problem: { code: string; path: string }) => `${problem.code} ${problem.path}`)).toEqual([
      'unknown_field extra', 'unknown_action steps[0].action', 'unknown_step_reference steps[1].inputs.n', 'unknown_input steps[1].inputs.m',
    ]);
    expect((await call('GET', `/workflows/${broken.body.id}/problems`, { token: p.viewer })).body).toEqual({ valid: false, problems: broken.body.problems });

    for (const body of [{ ...simple('x'), name: 'Not A Name' }, { kind: 'Workflow' }, [simple('list')]]) {
      const refused = await call('POST', '/workflows', { token: p.developer, body });
      expect(refused.status, JSON.stringify(body)).toBe(422);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body.code).toBe('workflow_invalid');
      expect(refused.body.errors.length).toBeGreaterThan(0);
    }
    expect(await call('POST', '/workflows', { token: p.developer, body: simple('broken') })).toMatchObject({ status: 409, body: { code: 'workflow_name_taken' } });
    const other = await call('POST', '/workflows', { token: p.developer, body: simple('other') });
    expect(await call('PUT', `/workflows/${other.body.id}`, { token: p.developer, body: simple('broken') })).toMatchObject({ status: 409, body: { code: 'workflow_name_taken' } });
    expect((await call('GET', `/workflows/${other.body.id}`, { token: p.viewer })).body.name).toBe('other');
  });

  it('answers 404 for an id that is not a UUID, and a problem for a body that is not JSON', async () => {
    const p = await aProject(service, call);
    for (const [method, path] of [['GET', '/workflows/not-a-uuid'], ['GET', '/workflows/1'], ['DELETE', '/workflows/..%2Fx'], ['GET', '/workflows/not-a-uuid/versions'],
      ['GET', '/workflows/00000000-0000-0000-0000-000000000000/versions/1'], ['POST', '/workflows/import?workflow=nope']] as const) {
      const answer = await call(method, path, { token: p.developer, ...(path.includes('import') ? { rawBody: 'name: x', contentType: YAML } : {}) });
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.body.code).toBe('workflow_not_found');
    }
    const created = await call('POST', '/workflows', { token: p.developer, body: simple('versions') });
    expect(await call('GET', `/workflows/${created.body.id}/versions/abc`, { token: p.viewer })).toMatchObject({ status: 404, body: { code: 'workflow_version_not_found' } });
    expect(await call('GET', `/workflows/${created.body.id}/versions/1`, { token: p.viewer })).toMatchObject({ status: 404, body: { code: 'workflow_version_not_found' } });
    expect(await call('POST', '/workflows', { token: p.developer, rawBody: '{"name": ' })).toMatchObject({ status: 400, body: { code: 'malformed_body' } });
    // JSON bodies are objects or lists (the parser is strict): a bare string is not one.
    expect(await call('POST', '/workflows', { token: p.developer, body: 'text' })).toMatchObject({ status: 400, body: { code: 'malformed_body' } });
    expect(await call('POST', '/workflows', { token: p.developer, rawBody: 'name: x', contentType: 'text/plain' })).toMatchObject({ status: 415 });
  });
});

describe('the list', () => {
  it('pages by name and filters by search, deployment status and trigger type', async () => {
    const p = await aProject(service, call);
    const names = ['delta', 'alpha-hook', 'charlie', 'bravo', 'echo-tick'];
    for (const name of names) {
      const trigger = name.endsWith('hook') ? { type: 'http', path: name } : name.endsWith('tick') ? OTHER_TRIGGERS.schedule : { type: 'manual' };
      const created = await call('POST', '/workflows', { token: p.developer, body: { ...documentWith(name, trigger), title: `The ${name}`, description: name === 'charlie' ? '100%_done' : '' } });
      expect(created.status).toBe(201);
    }
    const list = (query: string) => call('GET', `/workflows${query}`, { token: p.viewer });
    const ids = (answer: { body: { items: Array<{ name: string }> } }) => answer.body.items.map((item) => item.name);
    const first = await list('?limit=2');
    expect(ids(first)).toEqual(['alpha-hook', 'bravo']);
    expect(first.body.items[0]).toEqual({
      id: expect.any(String), name: 'alpha-hook', title: 'The alpha-hook', description: '', trigger_type: 'http', http_path: 'alpha-hook', step_count: 1,
      latest_version: null, deployment: null, created_at: expect.any(String), created_by: p.users.developer, updated_at: expect.any(String), updated_by: p.users.developer,
    });
    const second = await list(`?limit=2&cursor=${first.body.next as string}`);
    expect(ids(second)).toEqual(['charlie', 'delta']);
    const third = await list(`?limit=2&cursor=${second.body.next as string}`);
    expect(ids(third)).toEqual(['echo-tick']);
    expect(third.body.next).toBeNull();
    expect(ids(await list('?search=CHAR'))).toEqual(['charlie']);
    expect(ids(await list('?search=the%20b'))).toEqual(['bravo']);
    expect(ids(await list('?search=100%25_'))).toEqual(['charlie']);
    expect(ids(await list('?search=a_p'))).toEqual([]);
    expect(ids(await list('?trigger=schedule'))).toEqual(['echo-tick']);
    expect(ids(await list('?trigger=manual'))).toEqual(['bravo', 'charlie', 'delta']);
    expect(ids(await list('?status=none'))).toEqual(['alpha-hook', 'bravo', 'charlie', 'delta', 'echo-tick']);
    expect(ids(await list('?status=deployed'))).toEqual([]);
    expect((await list('?status=bogus')).status).toBe(400);
    expect((await list('?cursor=garbage')).body.code).toBe('invalid_cursor');
  });
});

describe('YAML', () => {
  it('imports a new workflow (201), the new draft of the one of its name (200), or of the one given by id (renamed)', async () => {
    const p = await aProject(service, call);
    const imported = await call('POST', '/workflows/import', { token: p.developer, rawBody: EVERYTHING_YAML, contentType: YAML });
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({ name: 'add-ten', valid: true, problems: [] });
    const id = imported.body.id as string;
    expect(imported.headers.get('location')).toBe(`/studio/workflows/${id}`);

    const again = await call('POST', '/workflows/import', { token: p.developer, rawBody: EVERYTHING_YAML.replace('title: Add ten', 'title: Add ten again'), contentType: 'application/x-yaml' });
    expect(again).toMatchObject({ status: 200, body: { id, title: 'Add ten again' } });

    const renamed = await call('POST', `/workflows/import?workflow=${id}`, { token: p.developer, rawBody: EVERYTHING_YAML.replace('name: add-ten', 'name: add-eleven'), contentType: 'text/yaml' });
    expect(renamed).toMatchObject({ status: 200, body: { id, name: 'add-eleven' } });
    expect((await call('GET', '/workflows', { token: p.viewer })).body.items.map((item: { name: string }) => item.name)).toEqual(['add-eleven']);
    await call('POST', '/workflows', { token: p.developer, body: simple('taken') });
    expect(await call('POST', `/workflows/import?workflow=${id}`, { token: p.developer, rawBody: EVERYTHING_YAML.replace('name: add-ten', 'name: taken'), contentType: YAML }))
      .toMatchObject({ status: 409, body: { code: 'workflow_name_taken' } });
    expect(await call('POST', '/workflows/import', { token: p.developer, body: { name: 'json' } })).toMatchObject({ status: 415 });
  });

  it('locates an imported draft\'s problems (line and column) and refuses YAML it cannot read, located', async () => {
    const p = await aProject(service, call);
    const yaml = EVERYTHING_YAML.replace('action: undo', 'action: ghost').replace('n: ${{ steps.s1.n }}', 'n: ${{ steps.nope.n }}');
    const imported = await call('POST', '/workflows/import', { token: p.developer, rawBody: yaml, contentType: YAML });
    expect(imported.status).toBe(201);
    expect(imported.body.problems).toEqual([
      { code: 'unknown_action', path: 'steps[2].action', message: expect.any(String), line: 38, column: 13 },
      { code: 'unknown_step_reference', path: 'steps[1].inputs.n', message: expect.any(String), line: 30, column: 10 },
    ]);
    const broken = await call('POST', '/workflows/import', { token: p.developer, rawBody: 'name: x\nsteps: [a, b\n', contentType: YAML });
    expect(broken.status).toBe(422);
    expect(broken.body).toMatchObject({ code: 'workflow_invalid', errors: [{ code: 'yaml_syntax', line: expect.any(Number), column: expect.any(Number) }] });
    const unnamed = await call('POST', '/workflows/import', { token: p.developer, rawBody: EVERYTHING_YAML.replace('name: add-ten', 'name: Add Ten'), contentType: YAML });
    expect(unnamed).toMatchObject({ status: 422, body: { code: 'workflow_invalid', errors: [{ code: 'invalid_value', path: 'name', line: 3, column: 7 }] } });
  });

  it('exports the draft and each version as YAML, and export -> import -> export gives the same bytes for every trigger type', async () => {
    const p = await aProject(service, call);
    const other = await aProject(service, call);
    const created = await call('POST', '/workflows/import', { token: p.developer, rawBody: EVERYTHING_YAML, contentType: YAML });
    const documents = [created.body.id as string];
    for (const [type, trigger] of Object.entries(OTHER_TRIGGERS)) {
      const answer = await call('POST', '/workflows', { token: p.developer, body: { ...documentWith(`by-${type}`, trigger), title: `By ${type}` } });
      expect(answer.body.problems, type).toEqual([]);
      documents.push(answer.body.id as string);
    }
    for (const id of documents) {
      const exported = await call('GET', `/workflows/${id}/export`, { token: p.viewer });
      expect(exported.status).toBe(200);
      expect(exported.headers.get('content-type')).toMatch(/^application\/yaml/);
      const name = (await call('GET', `/workflows/${id}`, { token: p.viewer })).body.name as string;
      expect(exported.headers.get('content-disposition')).toBe(`attachment; filename="${name}.yaml"`);
      expect(exported.text).not.toContain('not-for-your-eyes');

      const over = await call('POST', '/workflows/import', { token: p.developer, rawBody: exported.text, contentType: YAML });
      expect(over).toMatchObject({ status: 200, body: { id, valid: true } });
      expect((await call('GET', `/workflows/${id}/export`, { token: p.viewer })).text).toBe(exported.text);

      const elsewhere = await call('POST', '/workflows/import', { token: other.developer, rawBody: exported.text, contentType: YAML });
      expect(elsewhere).toMatchObject({ status: 201, body: { valid: true } });
      expect((await call('GET', `/workflows/${elsewhere.body.id}/export`, { token: other.viewer })).text).toBe(exported.text);
    }
    const everything = (await call('GET', `/workflows/${documents[0]}/export`, { token: p.viewer })).text;
    expect(everything).toContain('action: add-one@1.1.0');
    expect(everything).toContain('${{ secrets.API_TOKEN }}');
  });
});

describe('validation', () => {
  it('answers 200 for a clean document (JSON or YAML) and one 422 listing every problem, located in YAML', async () => {
    const p = await aProject(service, call);
    expect(await call('POST', '/workflows/validate', { token: p.viewer, rawBody: EVERYTHING_YAML, contentType: YAML })).toMatchObject({ status: 200, body: { valid: true, problems: [] } });
    expect(await call('POST', '/workflows/validate', { token: p.viewer, body: simple('clean') })).toMatchObject({ status: 200, body: { valid: true, problems: [] } });

    const eight = EVERYTHING_YAML
      .replace('path: add-ten', 'path: add ten')                             // 1 invalid_value (path)
      .replace('timeout: 30s', 'timeout: 30 parsecs')                        // 2 bad_duration
      .replace('action: add-one\n', 'action: nothing-here\n')                 // 3 unknown_action
      .replace('needs: [s1]', 'needs: [s9]')                                  // 4 unknown_step_reference
      .replace('attempts: 3', 'attempts: 0')                                  // 5 invalid_value (attempts)
      .replace('reason: s2 failed', 'reason: s2 failed\n      extra: 1')      // 6 unknown_input
      .replace('${{ vars.WIDTH }}', '${{ vars.HEIGHT }}')                      // 7 unknown_variable
      .replace('${{ secrets.API_TOKEN }}', '${{ secrets.NOPE }}');             // 8 unknown_secret
    const answer = await call('POST', '/workflows/validate', { token: p.viewer, rawBody: eight, contentType: YAML });
    expect(answer.status).toBe(422);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body.code).toBe('workflow_invalid');
    const errors = answer.body.errors as Array<{ code: string; path: string; line?: number; column?: number }>;
    expect(errors.map((e) => e.code).sort()).toEqual(['bad_duration', 'invalid_value', 'invalid_value', 'unknown_action', 'unknown_input', 'unknown_secret', 'unknown_step_reference', 'unknown_variable']);
    for (const error of errors) expect(error, JSON.stringify(error)).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
    expect(errors.find((e) => e.code === 'bad_duration')).toMatchObject({ path: 'trigger.timeout', line: 9, column: 12 });

    const json = await call('POST', '/workflows/validate', { token: p.viewer, body: { ...simple('bad'), steps: [{ id: 's1', action: 'ghost' }] } });
    expect(json).toMatchObject({ status: 422, body: { code: 'workflow_invalid', errors: [{ code: 'unknown_action', path: 'steps[0].action', message: expect.any(String) }] } });
    expect(json.body.errors[0]).not.toHaveProperty('line');
    const unreadable = await call('POST', '/workflows/validate', { token: p.viewer, rawBody: '{a: [', contentType: YAML });
    expect(unreadable).toMatchObject({ status: 422, body: { code: 'workflow_invalid' } });
    expect(unreadable.body.errors.map((e: { code: string; line: number }) => `${e.code}@${e.line}`)).toContain('yaml_syntax@1');
  });

  it('takes an HTTP path only once per project, and not from the workflow itself', async () => {
    const p = await aProject(service, call);
    const first = await call('POST', '/workflows/import', { token: p.developer, rawBody: EVERYTHING_YAML, contentType: YAML });
    const second = await call('POST', '/workflows/import', { token: p.developer, rawBody: EVERYTHING_YAML.replace('name: add-ten', 'name: twin'), contentType: YAML });
    expect(second.body.problems).toEqual([{ code: 'http_path_taken', path: 'trigger.path', message: expect.stringContaining('add-ten'), line: 8, column: 9 }]);
    expect(await call('POST', `/workflows/validate?workflow=${first.body.id as string}`, { token: p.viewer, rawBody: EVERYTHING_YAML, contentType: YAML }))
      .toMatchObject({ status: 422, body: { errors: [{ code: 'http_path_taken' }] } }); // twin has it too
    await call('DELETE', `/workflows/${second.body.id as string}`, { token: p.developer });
    expect((await call('GET', `/workflows/${first.body.id as string}/problems`, { token: p.viewer })).body).toEqual({ valid: true, problems: [] });
  });
});
