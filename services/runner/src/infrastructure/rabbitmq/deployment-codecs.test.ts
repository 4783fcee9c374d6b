import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as studio from '../pb/studio/v1/events.js';
import { decodeDeployRequested } from './deployment-codecs.js';

const IMAGE = `registry.example.com/trellis/add-one@sha256:${'1'.repeat(64)}`;

function encoded(fields: Partial<studio.WorkflowDeployRequested> = {}, image = ''): Uint8Array {
  const action = studio.PinnedAction.fromPartial({
    id: 'add-one', version: '1.0.0', digest: 'a'.repeat(64), artifactObject: 'a.tar.gz', artifactSize: '10', kind: 'Processor', runtime: 'nodejs',
    resources: { cpu: 0.5, memoryBytes: '268435456', timeoutMs: '0' }, image,
  });
  return studio.WorkflowDeployRequested.encode(studio.WorkflowDeployRequested.fromPartial({
    meta: { eventId: randomUUID(), occurredAt: new Date(), projectId: randomUUID(), traceId: 't' },
    workflowId: randomUUID(), workflowName: 'add-ten', version: 1, checksum: 'c'.repeat(64), deploymentId: randomUUID(),
    documentJson: '{"name":"add-ten"}', actions: [action], ...fields,
  })).finish();
}

describe('WorkflowDeployRequested, decoded', () => {
  it('carries the version\'s site and each action\'s image for it', () => {
    const request = decodeDeployRequested(encoded({ site: 'kubernetes' }, IMAGE));
    expect(request.site).toBe('kubernetes');
    expect(request.actions).toEqual([expect.objectContaining({ actionId: 'add-one', image: IMAGE, resources: { cpu: 0.5, memoryBytes: 268_435_456 } })]);
  });

  it('runs a request from a studio that predates sites locally, with no image', () => {
    const request = decodeDeployRequested(encoded());
    expect(request.site).toBe('local');
    expect(request.actions[0]).not.toHaveProperty('image');
  });

  it('refuses a site it does not know (the message is dead-lettered)', () => {
    expect(() => decodeDeployRequested(encoded({ site: 'slurm' }))).toThrow('WorkflowDeployRequested.site "slurm" is not local, docker or kubernetes');
  });
});
