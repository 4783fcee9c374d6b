import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateApiKey } from '@trellis/platform/auth/api-keys';
import { API_KEY_CACHE_MS, TYPES, events, handled, publish, sleep, useService } from './fixtures.js';

const service = useService();

async function getProject(credential?: string) {
  const response = await fetch(`${service.base}/project`, { headers: credential ? { authorization: `Bearer ${credential}` } : {} });
  return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
}

async function announce(name: string): Promise<{ id: string; announcedAt: Date }> {
  const id = randomUUID();
  const announcedAt = new Date();
  await handled(service.database.db, await publish(service.vhost.url, TYPES.projectCreated, events.projectCreated(id, name, {
    meta: { eventId: randomUUID(), occurredAt: announcedAt, projectId: id, traceId: 'trace' },
  })));
  return { id, announcedAt };
}

describe('GET /repository/project', () => {
  it('refuses a caller without credentials', async () => {
    const answer = await getProject();
    expect(answer.status).toBe(401);
    expect(answer.body['code']).toBe('unauthenticated');
  });

  it('answers a member the project the repository knows', async () => {
    const project = await announce('repository project');
    const answer = await getProject(await service.jwks.sign({ projectId: project.id, role: 'viewer' }));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ id: project.id, name: 'repository project', created_at: project.announcedAt.toISOString() });
  });

  it('answers 404 project_not_found for a project the repository has not been told about', async () => {
    const answer = await getProject(await service.jwks.sign({ projectId: randomUUID(), role: 'owner' }));
    expect(answer.status).toBe(404);
    expect(answer.type).toContain('application/problem+json');
    expect(answer.body['code']).toBe('project_not_found');
  });

  it('accepts a replicated API key, and refuses it once revoked and the cache has expired', async () => {
    const project = await announce('keyed');
    const { key, sha256 } = generateApiKey();
    const keyId = randomUUID();
    await handled(service.database.db, await publish(service.vhost.url, TYPES.apiKeyIssued, events.apiKeyIssued({ keyId, projectId: project.id, sha256, role: 'viewer' })));
    const accepted = await getProject(key);
    expect(accepted.status).toBe(200);
    expect(accepted.body['id']).toBe(project.id);

    await handled(service.database.db, await publish(service.vhost.url, TYPES.apiKeyRevoked, events.apiKeyRevoked({ keyId, projectId: project.id })));
    await sleep(API_KEY_CACHE_MS + 100);
    const refused = await getProject(key);
    expect(refused.status).toBe(401);
    expect(refused.body['code']).toBe('unauthenticated');
  });

  it('describes the route with its access in OpenAPI', async () => {
    const doc = (await (await fetch(`${service.base}/openapi.json`)).json()) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    const operation = doc.paths['/repository/project']?.['get'];
    expect(operation?.['operationId']).toBe('repositoryGetProject');
    expect(operation?.['x-trellis-access']).toEqual({ kind: 'project', role: 'viewer' });
  });
});
