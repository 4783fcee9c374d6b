// A redeployed polling trigger resumes from what it already saw (issue 19), on the real runner:
// Postgres, RabbitMQ, the object store and a real wrapper process. The trigger
// (test/actions/folder-cursor) polls a folder whose files stay, as poll-http's page and
// watch-s3's objects do, and fires for each file above its cursor (lastEvent). Redeployed as a new
// version with the same trigger, it fires for no file it already fired for, only for a new one;
// redeployed with its inputs changed, it is another trigger and starts from nothing.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@trellis/platform/testing/eventually';
import { publishAs } from '@trellis/platform/testing/service-harness';
import * as studio from '../src/infrastructure/pb/studio/v1/events.js';
import { useEngineRunner } from './engine-support.js';

const { service, db, build, knownProject } = useEngineRunner();

let projectId = '';
let cursor: studio.PinnedAction;
let addOne: studio.PinnedAction;

beforeAll(async () => {
  projectId = await knownProject();
  [cursor, addOne] = await build(['services/runner/test/actions/folder-cursor', 'examples/actions/add-one']) as [studio.PinnedAction, studio.PinnedAction];
}, 120_000);

/** The workflow's version `version`: the trigger over `dir` with `label`, then one step adding `plus` (the step changes, the trigger need not). */
const aVersion = (dir: string, label: string, plus: number) => ({
  apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'resumes', trigger: { type: 'action', action: 'folder-cursor@1.0.0', inputs: { dir, label } },
  steps: Array.from({ length: plus }, (_, i) => ({ id: `s${i}`, action: 'add-one@1.0.0', inputs: { n: i === 0 ? '${{ trigger.n }}' : `\${{ steps.s${i - 1}.n }}` } })),
  results: { n: `\${{ steps.s${plus - 1}.n }}` },
});

/** Deploys `document` as version `version` of the workflow (a redeploy from 2 on), as studio does, and waits until that version serves. */
async function deployVersion(workflowId: string, version: number, document: Record<string, unknown>): Promise<void> {
  await publishAs(service.vhost.url, 'studio', 'trellis.studio.v1.WorkflowDeployRequested', studio.WorkflowDeployRequested.encode(studio.WorkflowDeployRequested.fromPartial({
    meta: { eventId: randomUUID(), occurredAt: new Date(), projectId, traceId: 'trace' }, workflowId, workflowName: 'resumes', version,
    checksum: String(version).repeat(64).slice(0, 64), deploymentId: randomUUID(), documentJson: JSON.stringify(document), actions: [cursor, addOne], requestedBy: randomUUID(), files: [],
  })).finish());
  await eventually(() => db().selectFrom('deployments').select(['status', 'serving_version']).where('workflow_id', '=', workflowId).executeTakeFirst(),
    (row) => row?.status === 'active' && row.serving_version === version, 30_000);
}

type Line = { label: string; start?: unknown; emitted?: number };
const journalOf = (dir: string): Line[] => {
  try {
    return readFileSync(path.join(dir, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Line);
  } catch {
    return [];
  }
};
/** The runs of the workflow as (version, n), in the order they were created. */
const runsOf = async (workflowId: string) =>
  (await db().selectFrom('runs').select(['version', 'trigger_outputs', 'status']).where('workflow_id', '=', workflowId).orderBy('created_at').orderBy('id').execute())
    .map((row) => ({ version: row.version, n: (row.trigger_outputs as { n: number }).n, status: row.status }));
const runsUntil = (workflowId: string, count: number) =>
  eventually(() => runsOf(workflowId), (runs) => runs.length >= count && runs.every((run) => run.status === 'succeeded'), 30_000);
/** A few of the trigger's polls (50 ms each): what it would fire again, it would have by now. */
const severalPolls = () => new Promise((resolve) => setTimeout(resolve, 1000));

describe('a redeployed polling trigger', () => {
  it('fires again for nothing it saw under the same action and inputs, and starts afresh when its inputs changed', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'trellis-trigger-resume-'));
    mkdirSync(path.join(dir, 'items'));
    const item = (n: number) => writeFileSync(path.join(dir, 'items', String(n)), '');
    item(1);
    item(2);
    const workflowId = randomUUID();

    await deployVersion(workflowId, 1, aVersion(dir, 'a', 1));
    await runsUntil(workflowId, 2);

    // Version 2: the steps changed, the trigger did not. It resumes from version 1's last event.
    await deployVersion(workflowId, 2, aVersion(dir, 'a', 2));
    await eventually(async () => journalOf(dir).filter((line) => 'start' in line), (starts) => starts.length === 2, 30_000);
    item(3);
    await runsUntil(workflowId, 3);
    await severalPolls();
    expect(await runsOf(workflowId)).toEqual([
      { version: 1, n: 1, status: 'succeeded' }, { version: 1, n: 2, status: 'succeeded' }, { version: 2, n: 3, status: 'succeeded' },
    ]);
    const results = await db().selectFrom('runs').select('results').where('workflow_id', '=', workflowId).where('version', '=', 2).execute();
    expect(results.map((row) => row.results)).toEqual([{ n: 5 }]);

    // Version 3: the trigger's inputs changed. Its cursor would be another trigger's: it starts from nothing.
    await deployVersion(workflowId, 3, aVersion(dir, 'b', 1));
    await runsUntil(workflowId, 6);
    await severalPolls();
    expect((await runsOf(workflowId)).slice(3)).toEqual([1, 2, 3].map((n) => ({ version: 3, n, status: 'succeeded' })));
    expect(journalOf(dir).filter((line) => 'start' in line)).toEqual([{ label: 'a', start: null }, { label: 'a', start: { n: 2 } }, { label: 'b', start: null }]);
  }, 120_000);
});
