import { randomUUID } from 'node:crypto';
import * as builder from '../src/infrastructure/pb/action-builder/v1/events.js';
import { anActionBuilt, type useStudio } from './fixtures.js';
import type { Call } from './http-calls.js';

type Studio = ReturnType<typeof useStudio>;

export const digestOf = (letter: string) => letter.repeat(64);

const io = (fields: Partial<builder.IoDescription>) => builder.IoDescription.fromPartial(fields);
const int = (name: string) => io({ name, type: 'integer' });

/** The library every workflow test builds on: one action of each use (step, compensation, fan-out, trigger), add-one in two versions. */
export const LIBRARY: Array<{ action: Partial<builder.ActionDescription>; digest: string; builtAt: Date }> = [
  { action: { id: 'add-one', version: '1.0.0', inputs: [int('n')], outputs: [int('n')] }, digest: digestOf('a'), builtAt: new Date('2026-11-01T10:00:00Z') },
  { action: { id: 'add-one', version: '1.1.0', inputs: [int('n')], outputs: [int('n')] }, digest: digestOf('b'), builtAt: new Date('2026-11-01T11:00:00Z') },
  {
    action: {
      id: 'resize', version: '2.0.0', runtime: 'python', format: 'trellis',
      inputs: [io({ name: 'image', type: 'string', help: 'A URL' }), io({ name: 'width', type: 'integer', defaultJson: '800' }), io({ name: 'token', type: 'password', optional: true })],
      outputs: [io({ name: 'url', type: 'string' })],
      resources: { cpu: 1, memoryBytes: '536870912', timeoutMs: '30000' },
    },
    digest: digestOf('c'), builtAt: new Date('2026-11-01T10:00:00Z'),
  },
  { action: { id: 'undo', version: '1.0.0', inputs: [io({ name: 'reason', type: 'string', optional: true })], outputs: [] }, digest: digestOf('e'), builtAt: new Date('2026-11-01T10:00:00Z') },
  {
    action: { id: 'listen', kind: 'Trigger', version: '0.3.0', inputs: [io({ name: 'channel', type: 'string' })], outputs: [io({ name: 'body', type: 'json' })] },
    digest: digestOf('f'), builtAt: new Date('2026-11-01T10:00:00Z'),
  },
];

/** A project studio knows, its library built, a variable and a secret set, and a token per role (with each user's id). */
export async function aProject(service: Studio, call: Call) {
  const projectId = await service.knownProject();
  for (const { action, digest, builtAt } of LIBRARY) {
    await service.built(anActionBuilt(projectId, { ...action, name: action.id ?? '' }, {
      digest, builtAt, artifactObject: `action-builder/projects/${projectId}/artifacts/${digest}.tar.gz`, artifactSize: '4096',
    }));
  }
  const users = { viewer: randomUUID(), operator: randomUUID(), developer: randomUUID(), owner: randomUUID() };
  const token = (role: keyof typeof users) => service.studio.jwks.sign({ projectId, role, userId: users[role] });
  const tokens = { viewer: await token('viewer'), operator: await token('operator'), developer: await token('developer'), owner: await token('owner') };
  for (const [path, value] of [['/variables/WIDTH', 640], ['/secrets/API_TOKEN', 'not-for-your-eyes']] as const) {
    const answer = await call('PUT', path, { token: tokens.developer, body: { value } });
    if (answer.status >= 300) throw new Error(`PUT ${path}: ${answer.status} ${answer.text}`);
  }
  return { projectId, users, ...tokens };
}

/** A workflow using every feature: an HTTP trigger, every step field, a compensation, a fan-out, variables, secrets, results and on_finish. */
export const EVERYTHING_YAML = `apiVersion: trellis.dev/v1
kind: Workflow
name: add-ten
title: Add ten
description: Adds ten to a number, one step at a time.
trigger:
  type: http
  path: add-ten
  timeout: 30s
  auth: required
  inputs:
    - name: n
      type: integer
      help: The number
    - name: images
      type: json
      optional: true
      default: []
steps:
  - id: s1
    title: First
    action: add-one
    inputs:
      n: \${{ trigger.n }}
  - id: s2
    action: add-one@1.0.0
    needs: [s1]
    when: \${{ steps.s1.n < 100 }}
    inputs:
      n: \${{ steps.s1.n }}
    retry:
      attempts: 3
      backoff: 1s
      max_delay: 30s
    timeout: 10s
    on_failure: undo-s2
  - id: undo-s2
    action: undo
    inputs:
      reason: s2 failed
  - id: each
    action: resize
    foreach: \${{ trigger.images }}
    parallelism: 8
    fail_fast: true
    inputs:
      image: \${{ item }}
      width: \${{ vars.WIDTH }}
      token: \${{ secrets.API_TOKEN }}
results:
  n: \${{ steps.s2.n }}
  urls: \${{ steps.each.url }}
on_finish:
  webhook: https://example.com/hook
`;

/** One document per other trigger type. */
export const OTHER_TRIGGERS = {
  schedule: { type: 'schedule', cron: '*/5 * * * *', timezone: 'Europe/Paris', missed: 'catch_up', catch_up_limit: 3, inputs: { n: 1 } },
  manual: { type: 'manual', inputs: [{ name: 'n', type: 'integer', help: 'Start from', optional: true, default: 0 }] },
  action: { type: 'action', action: 'listen', inputs: { channel: 'orders' } },
} as const;

export function documentWith(name: string, trigger: object, steps: object[] = [{ id: 's1', action: 'add-one', inputs: { n: 1 } }]) {
  return { apiVersion: 'trellis.dev/v1', kind: 'Workflow', name, trigger, steps };
}

export const YAML = 'application/yaml';
