// Who may do what with workflows: viewers read, developers write, operators deploy; another
// project sees none of it.
import { beforeAll, describe, expect, it } from 'vitest';
import { useStudio } from './fixtures.js';
import { makeCall } from './http-calls.js';
import { aProject, documentWith, EVERYTHING_YAML, YAML } from './workflow-support.js';

const service = useStudio();
const call = makeCall(() => service.studio.base);

let a: Awaited<ReturnType<typeof aProject>>;
let b: Awaited<ReturnType<typeof aProject>>;
let id: string;

beforeAll(async () => {
  a = await aProject(service, call);
  b = await aProject(service, call);
  id = (await call('POST', '/workflows/import', { token: a.developer, rawBody: EVERYTHING_YAML, contentType: YAML })).body.id as string;
  expect((await call('POST', `/workflows/${id}/deploy`, { token: a.operator })).status).toBe(202);
});

type Request = { method: string; path: string; body?: unknown; rawBody?: string; contentType?: string };

/** Every route that names a workflow of project A, with a body that would be accepted. */
const naming = (): Request[] => [
  { method: 'GET', path: `/workflows/${id}` },
  { method: 'PUT', path: `/workflows/${id}`, body: documentWith('add-ten', { type: 'manual' }) },
  { method: 'PATCH', path: `/workflows/${id}`, body: { title: 'x' } },
  { method: 'DELETE', path: `/workflows/${id}` },
  { method: 'GET', path: `/workflows/${id}/export` },
  { method: 'GET', path: `/workflows/${id}/export?version=1` },
  { method: 'GET', path: `/workflows/${id}/problems` },
  { method: 'POST', path: `/workflows/${id}/deploy` },
  { method: 'POST', path: `/workflows/${id}/undeploy`, body: { mode: 'immediate' } },
  { method: 'GET', path: `/workflows/${id}/versions` },
  { method: 'GET', path: `/workflows/${id}/versions/1` },
  { method: 'POST', path: `/workflows/import?workflow=${id}`, rawBody: EVERYTHING_YAML, contentType: YAML },
];

const send = (request: Request, token: string) =>
  call(request.method, request.path, { token, ...(request.body === undefined ? {} : { body: request.body }), ...(request.rawBody ? { rawBody: request.rawBody, contentType: request.contentType ?? YAML } : {}) });

describe('another project', () => {
  it('gets 404 workflow_not_found on every route naming a workflow of project A, even as its owner, and changes nothing', async () => {
    const before = (await call('GET', `/workflows/${id}`, { token: a.viewer })).body;
    for (const request of naming()) {
      const answer = await send(request, b.owner);
      expect(answer.status, `${request.method} ${request.path}`).toBe(404);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.body.code).toBe('workflow_not_found');
      expect(answer.text).not.toContain('add-ten');
    }
    expect((await call('GET', '/workflows', { token: b.owner })).body).toEqual({ items: [], next: null });
    expect((await call('GET', `/workflows/${id}`, { token: a.viewer })).body).toEqual(before);
    // Its own workflow of the same name and path is no clash with A's.
    const own = await call('POST', '/workflows/import', { token: b.developer, rawBody: EVERYTHING_YAML, contentType: YAML });
    expect(own).toMatchObject({ status: 201, body: { valid: true } });
  });
});

describe('roles', () => {
  it('let a viewer read, list, export and validate, and refuse it every change (403)', async () => {
    for (const request of naming().filter((r) => r.method === 'GET')) expect((await send(request, a.viewer)).status, request.path).toBe(200);
    expect((await call('GET', '/workflows', { token: a.viewer })).status).toBe(200);
    expect((await call('POST', '/workflows/validate', { token: a.viewer, body: documentWith('x-y-z', { type: 'manual' }) })).status).toBe(200);
    const writes = [{ method: 'POST', path: '/workflows', body: documentWith('new-one', { type: 'manual' }) }, ...naming().filter((r) => r.method !== 'GET'),
      { method: 'POST', path: '/workflows/import', rawBody: EVERYTHING_YAML, contentType: YAML }];
    for (const request of writes) {
      const answer = await send(request, a.viewer);
      expect(answer.status, `${request.method} ${request.path}`).toBe(403);
      expect(answer.body.code).toBe('forbidden');
    }
  });

  it('let an operator deploy and undeploy but not edit, and a developer do both', async () => {
    const edits = [
      { method: 'POST', path: '/workflows', body: documentWith('new-one', { type: 'manual' }) },
      { method: 'PUT', path: `/workflows/${id}`, body: documentWith('add-ten', { type: 'manual' }) },
      { method: 'PATCH', path: `/workflows/${id}`, body: { title: 'x' } },
      { method: 'DELETE', path: `/workflows/${id}` },
      { method: 'POST', path: '/workflows/import', rawBody: EVERYTHING_YAML, contentType: YAML },
    ];
    for (const request of edits) expect((await send(request, a.operator)).status, `${request.method} ${request.path}`).toBe(403);
    expect((await call('POST', `/workflows/${id}/deploy`, { token: a.operator })).status).toBe(202);
    expect((await call('POST', `/workflows/${id}/undeploy`, { token: a.operator })).status).toBe(202);
    expect((await call('POST', `/workflows/${id}/deploy`, { token: a.developer })).status).toBe(202);
    expect((await call('PATCH', `/workflows/${id}`, { token: a.developer, body: { title: 'By a developer' } })).status).toBe(200);
    expect((await call('POST', '/workflows', { token: a.developer, body: documentWith('new-one', { type: 'manual' }) })).status).toBe(201);
  });

  it('refuse a caller without a credential (401)', async () => {
    expect((await call('GET', '/workflows')).status).toBe(401);
    expect((await call('GET', `/workflows/${id}/export`)).status).toBe(401);
  });
});

describe('the OpenAPI document', () => {
  it('lists every workflow route with its access and its YAML bodies', async () => {
    const document = (await call('GET', '/openapi.json')).body;
    const operations = Object.values(document.paths as Record<string, Record<string, { operationId: string; 'x-trellis-access': unknown; requestBody?: { content: object } }>>)
      .flatMap((methods) => Object.values(methods)).filter((operation) => /Workflow/.test(operation.operationId));
    expect(Object.fromEntries(operations.map((o) => [o.operationId, JSON.stringify(o['x-trellis-access'])]))).toEqual({
      studioListWorkflows: expect.stringContaining('viewer'), studioCreateWorkflow: expect.stringContaining('developer'),
      studioImportWorkflow: expect.stringContaining('developer'), studioValidateWorkflow: expect.stringContaining('viewer'),
      studioGetWorkflow: expect.stringContaining('viewer'), studioReplaceWorkflow: expect.stringContaining('developer'),
      studioPatchWorkflow: expect.stringContaining('developer'), studioDeleteWorkflow: expect.stringContaining('developer'),
      studioExportWorkflow: expect.stringContaining('viewer'), studioGetWorkflowProblems: expect.stringContaining('viewer'),
      studioDeployWorkflow: expect.stringContaining('operator'), studioUndeployWorkflow: expect.stringContaining('operator'),
      studioListWorkflowVersions: expect.stringContaining('viewer'), studioGetWorkflowVersion: expect.stringContaining('viewer'),
    });
    const importing = operations.find((o) => o.operationId === 'studioImportWorkflow');
    expect(Object.keys(importing?.requestBody?.content ?? {})).toEqual(['application/yaml', 'application/x-yaml', 'text/yaml']);
    const validating = operations.find((o) => o.operationId === 'studioValidateWorkflow');
    expect(Object.keys(validating?.requestBody?.content ?? {})).toEqual(['application/json', 'application/yaml', 'application/x-yaml', 'text/yaml']);
  });
});
