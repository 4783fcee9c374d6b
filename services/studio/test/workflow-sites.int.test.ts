// Where a workflow runs (issue 17): studio keeps each action version's images from ActionBuilt,
// and a deploy to the docker or kubernetes site (the document's `site`, else TRELLIS_SITE_DEFAULT)
// is refused while a pinned action version has no image for it. Through the real broker and
// Postgres, on a studio whose instance default is docker.
import { describe, expect, it } from 'vitest';
import { deadLetterQueueOf } from '@trellis/platform/amqp/topology';
import { drainQueue } from '@trellis/platform/testing/amqp';
import { eventually } from '@trellis/platform/testing/eventually';
import * as builder from '../src/infrastructure/pb/action-builder/v1/events.js';
import * as pb from '../src/infrastructure/pb/studio/v1/events.js';
import { anActionBuilt, QUEUE, useStudio } from './fixtures.js';
import { makeCall } from './http-calls.js';
import { aProject, digestOf, YAML } from './workflow-support.js';

const service = useStudio({ TRELLIS_SITE_DEFAULT: 'docker' });
const call = makeCall(() => service.studio.base);

const DOCKER_IMAGE = `trellis-action/add-one@sha256:${'1'.repeat(64)}`;
const REGISTRY_IMAGE = `registry.example.com/trellis/add-one@sha256:${'1'.repeat(64)}`;

const workflow = (name: string, site?: string) => `apiVersion: trellis.dev/v1
kind: Workflow
name: ${name}
${site ? `site: ${site}\n` : ''}trigger:
  type: manual
  inputs:
    - name: n
      type: integer
steps:
  - id: s1
    action: add-one@1.1.0
    inputs:
      n: \${{ trigger.n }}
    resources:
      cpu: 500m
      memory: 256Mi
`;

async function deployRequests(): Promise<pb.WorkflowDeployRequested[]> {
  const messages = await service.published();
  return messages.filter((m) => m.type === 'trellis.studio.v1.WorkflowDeployRequested').map((m) => pb.WorkflowDeployRequested.decode(m.content));
}

async function imported(p: Awaited<ReturnType<typeof aProject>>, yaml: string): Promise<string> {
  const answer = await call('POST', '/workflows/import', { token: p.developer, rawBody: yaml, contentType: YAML });
  expect(answer.status, answer.text).toBe(201);
  expect(answer.body.problems).toEqual([]);
  await service.published(); // what the project's set-up published
  return answer.body.id as string;
}

let builds = 0;
/** add-one@1.1.0 built again (a newer build of the same artifact, replacing the one held) with images. */
const rebuiltWithImages = (projectId: string, images: string[]) => service.built(anActionBuilt(projectId, { id: 'add-one', version: '1.1.0', name: 'add-one' }, {
  digest: digestOf('b'), builtAt: new Date(Date.UTC(2026, 10, 2, 10, ++builds)), artifactObject: `action-builder/projects/${projectId}/artifacts/${digestOf('b')}.tar.gz`,
  artifactSize: '4096', images,
}));

describe('deploying to a site', () => {
  it('refuses the instance\'s docker default while an action version has no image, saying how to get one; deploys with the image once built', async () => {
    const p = await aProject(service, call);
    const id = await imported(p, workflow('on-default'));
    const refused = await call('POST', `/workflows/${id}/deploy`, { token: p.operator });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'image_missing' });
    expect(refused.body.detail).toContain('docker site');
    expect(refused.body.detail).toContain('add-one@1.1.0');
    expect(refused.body.detail).toContain('TRELLIS_IMAGES=docker');
    expect((await call('GET', `/workflows/${id}`, { token: p.viewer })).body).toMatchObject({ latest_version: null, deployment: null });
    expect(await deployRequests()).toEqual([]);

    await rebuiltWithImages(p.projectId, [`docker=${DOCKER_IMAGE}`, 'slurm=hpc/add-one:1']);
    const library = await call('GET', '/actions/add-one', { token: p.viewer });
    expect(library.body.versions.map((v: { version: string; images: object }) => [v.version, v.images])).toEqual([['1.1.0', { docker: DOCKER_IMAGE }], ['1.0.0', {}]]);
    expect((await call('POST', `/workflows/${id}/deploy`, { token: p.operator })).status).toBe(202);
    const [request] = await eventually(deployRequests, (found) => found.length > 0);
    expect(request).toMatchObject({ site: 'docker', actions: [{ id: 'add-one', version: '1.1.0', image: DOCKER_IMAGE }] });
    expect(JSON.parse(request?.documentJson ?? '{}').steps[0].resources).toEqual({ cpu: '500m', memory: '256Mi' });
  });

  it('follows the document\'s site: kubernetes wants a registry image, local none', async () => {
    const p = await aProject(service, call);
    await rebuiltWithImages(p.projectId, [`docker=${DOCKER_IMAGE}`]);
    const onKubernetes = await imported(p, workflow('on-kubernetes', 'kubernetes'));
    const refused = await call('POST', `/workflows/${onKubernetes}/deploy`, { token: p.operator });
    expect(refused).toMatchObject({ status: 409, body: { code: 'image_missing' } });
    expect(refused.body.detail).toContain('kubernetes site');
    expect(refused.body.detail).toContain('TRELLIS_IMAGE_REGISTRY');

    const onLocal = await imported(p, workflow('on-local', 'local'));
    expect((await call('POST', `/workflows/${onLocal}/deploy`, { token: p.operator })).status).toBe(202);
    const [local] = await eventually(deployRequests, (found) => found.length > 0);
    expect(local).toMatchObject({ site: 'local', actions: [{ id: 'add-one', image: '' }] });

    await rebuiltWithImages(p.projectId, [`docker=${DOCKER_IMAGE}`, `kubernetes=${REGISTRY_IMAGE}`]);
    expect((await call('POST', `/workflows/${onKubernetes}/deploy`, { token: p.operator })).status).toBe(202);
    const [kubernetes] = await eventually(deployRequests, (found) => found.length > 0);
    expect(kubernetes).toMatchObject({ site: 'kubernetes', actions: [{ id: 'add-one', image: REGISTRY_IMAGE }] });
  });

  it('dead-letters an ActionBuilt whose image entry is not "<site>=<reference>", without recording it', async () => {
    const projectId = await service.knownProject();
    await service.publishBuilt(builder.ActionBuilt.encode(anActionBuilt(projectId, {}, { images: ['docker'] })).finish());
    const dead = await eventually(() => drainQueue(service.studio.vhost.url, deadLetterQueueOf(QUEUE)), (found) => found.length > 0);
    expect(dead).toHaveLength(1);
    expect(await service.studio.database.db.selectFrom('library_actions').select('action_id').where('project_id', '=', projectId).execute()).toEqual([]);
  });
});
