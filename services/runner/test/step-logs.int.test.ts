import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventually } from '@trellis/platform/testing/eventually';
import { aDeployRequested, useDeploymentRunner } from './deployment-support.js';
import { makeFakeEngine } from './fake-engine.js';

const { runner, answersTo, knownProject, deployRequested } = useDeploymentRunner({ engine: makeFakeEngine().engine });

type ServerSentEvent = { id?: string; event: string; data: string };

/** Follows `<base><path>` as Server-Sent Events: the events so far, and `done` once the server ends the stream. */
async function follow(path: string, token: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${runner.base}${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...headers } });
  const events: ServerSentEvent[] = [];
  const state = { ended: false };
  const done = (async () => {
    let buffer = '';
    const decoder = new TextDecoder();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const fields = buffer.slice(0, cut).split('\n').filter((line) => !line.startsWith(':'));
        buffer = buffer.slice(cut + 2);
        if (fields.length === 0 || fields[0]?.startsWith('retry:')) continue;
        const event: ServerSentEvent = { event: 'message', data: '' };
        for (const field of fields) {
          const [name, ...rest] = field.split(': ');
          if (name === 'id') event.id = rest.join(': ');
          else if (name === 'event') event.event = rest.join(': ');
          else if (name === 'data') event.data = rest.join(': ');
        }
        events.push(event);
      }
    }
    state.ended = true;
  })();
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', events, state, done };
}

/** A deployed two-step workflow, a viewer's token, and a running run whose s1 failed once and runs its attempt 2. */
async function aRunningRun() {
  const projectId = await knownProject();
  const request = aDeployRequested(projectId, { path: `logs-${randomUUID().slice(0, 8)}` });
  const documentJson = JSON.stringify({
    apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'two', trigger: { type: 'http', path: 'two' },
    steps: [{ id: 's1', action: 'add-one@1.0.0', inputs: {} }, { id: 's2', action: 'add-one@1.0.0', inputs: {}, needs: ['s1'] }],
  });
  await deployRequested({ ...request, documentJson });
  await answersTo(request.deploymentId);
  const db = runner.database.db;
  const id = randomUUID();
  const at = new Date();
  await db.insertInto('runs').values({
    id, project_id: projectId, workflow_id: request.workflowId, version: 1, status: 'running', trigger_type: 'http', trigger_outputs: '{}',
    results: null, error: null, owner: null, owner_epoch: '0', idempotency_key: null, created_at: at, started_at: at, finished_at: null,
  }).execute();
  await db.insertInto('step_runs').values({ run_id: id, step_id: 's1', status: 'running', attempt: 2, inputs: '{}', outputs: null, error: null, started_at: at, finished_at: null }).execute();
  await db.insertInto('step_attempts').values([
    { run_id: id, step_id: 's1', attempt: 1, status: 'failed', error: JSON.stringify({ code: 'timeout', message: 'late' }), stdout: 'first try\n', stderr: '', logs_truncated: false, started_at: at, finished_at: at },
    { run_id: id, step_id: 's1', attempt: 2, status: 'running', error: null, stdout: '', stderr: '', logs_truncated: false, started_at: at, finished_at: null },
  ]).execute();
  /** The engine's transition: s1's attempt 2 succeeds with its logs, the run ends (s2 never reached). */
  const finish = async () => db.transaction().execute(async (trx) => {
    const end = new Date();
    await trx.updateTable('step_attempts').set({ status: 'succeeded', stdout: 'hello\n', stderr: 'warn\n', finished_at: end }).where('run_id', '=', id).where('attempt', '=', 2).execute();
    await trx.updateTable('step_runs').set({ status: 'succeeded', outputs: '{"n":2}', finished_at: end }).where('run_id', '=', id).execute();
    await trx.updateTable('runs').set({ status: 'succeeded', results: '{}', finished_at: end }).where('id', '=', id).execute();
  });
  return { id, projectId, token: await runner.jwks.sign({ projectId, role: 'viewer' }), finish };
}

describe('a step\'s logs followed live (Accept: text/event-stream)', () => {
  it('sends the attempts ended so far, the next as it is recorded, and ends once the step is done', async () => {
    const { id, token, finish } = await aRunningRun();
    const stream = await follow(`/runs/${id}/steps/s1/logs`, token);
    expect([stream.status, stream.contentType.split(';')[0]]).toEqual([200, 'text/event-stream']);
    await eventually(async () => stream.events.length, (count) => count >= 1);
    expect(stream.events[0]).toMatchObject({ id: '1', event: 'attempt' });
    expect(JSON.parse(stream.events[0]!.data)).toMatchObject({ attempt: 1, status: 'failed', stdout: 'first try\n', error: { code: 'timeout' } });
    expect(stream.state.ended).toBe(false);

    await finish();
    await stream.done;
    expect(stream.events.map((event) => [event.id, event.event])).toEqual([['1', 'attempt'], ['2', 'attempt'], [undefined, 'end']]);
    expect(JSON.parse(stream.events[1]!.data)).toMatchObject({ attempt: 2, status: 'succeeded', stdout: 'hello\n', stderr: 'warn\n' });
    expect(stream.events[2]?.data).toBe('{"status":"succeeded"}');

    // Resuming after attempt 1 (Last-Event-ID) sends only attempt 2, then ends at once.
    const resumed = await follow(`/runs/${id}/steps/s1/logs`, token, { 'last-event-id': '1' });
    await resumed.done;
    expect(resumed.events.map((event) => [event.id, event.event])).toEqual([['2', 'attempt'], [undefined, 'end']]);
    // A step the finished run never reached ends at once, pending.
    const never = await follow(`/runs/${id}/steps/s2/logs`, token);
    await never.done;
    expect(never.events).toEqual([{ event: 'end', data: '{"status":"pending"}' }]);
  });

  it('answers 404 problems, not a stream, for another project\'s run or an unknown step', async () => {
    const { id, projectId } = await aRunningRun();
    const other = await runner.jwks.sign({ projectId: await knownProject(), role: 'owner' });
    const foreign = await fetch(`${runner.base}/runs/${id}/steps/s1/logs`, { headers: { authorization: `Bearer ${other}`, accept: 'text/event-stream' } });
    expect([foreign.status, ((await foreign.json()) as { code: string }).code]).toEqual([404, 'run_not_found']);
    const token = await runner.jwks.sign({ projectId, role: 'viewer' });
    const unknown = await fetch(`${runner.base}/runs/${id}/steps/nope/logs`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } });
    expect([unknown.status, ((await unknown.json()) as { code: string }).code]).toEqual([404, 'step_not_found']);
  });
});
