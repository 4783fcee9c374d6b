// A running step's output followed over Server-Sent Events as the action writes it (`output`
// events), through the runner's route, its real engine, local site and action processes.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type * as studio from '../src/infrastructure/pb/studio/v1/events.js';
import { useEngineRunner } from './engine-support.js';

const { service, runner, build, knownProject, deploy } = useEngineRunner();

type Seen = { id?: string; event: string; data: string; at: number };

/** Follows a step's logs as Server-Sent Events until the server ends the stream: each event and when it came. */
async function follow(path: string, token: string): Promise<Seen[]> {
  const response = await fetch(`${service.base}${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } });
  expect(response.status).toBe(200);
  const events: Seen[] = [];
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const fields = buffer.slice(0, cut).split('\n').filter((line) => !line.startsWith(':') && !line.startsWith('retry:'));
      buffer = buffer.slice(cut + 2);
      if (fields.length === 0) continue;
      const event: Seen = { event: 'message', data: '', at: Date.now() };
      for (const field of fields) {
        const [name = '', ...rest] = field.split(': ');
        if (name === 'id') event.id = rest.join(': ');
        else if (name === 'event') event.event = rest.join(': ');
        else if (name === 'data') event.data = rest.join(': ');
      }
      events.push(event);
    }
  }
  return events;
}

/** The events in order, as `output <attempt> <stream> <text>`, `attempt <n> <status>` and `end <status>`. */
function story(events: readonly Seen[]): string[] {
  return events.map((event) => {
    const data = JSON.parse(event.data) as { attempt: number; stream: string; text: string; status: string };
    if (event.event === 'output') return `output ${data.attempt} ${data.stream} ${data.text}`;
    if (event.event === 'attempt') return `attempt ${data.attempt} ${data.status}`;
    return `${event.event} ${data.status}`;
  });
}

let projectId = '';
let token = '';
let actions: studio.PinnedAction[] = [];

const oneStep = (action: string, inputs: Record<string, unknown>, retry?: Record<string, unknown>) => ({
  name: `live-${randomUUID().slice(0, 8)}`, trigger: { type: 'http', path: `live-${randomUUID().slice(0, 8)}` },
  steps: [{ id: 'print', action, inputs, ...(retry ? { retry } : {}) }],
});

async function started(workflowId: string): Promise<string> {
  const result = await runner().engine.start({ projectId, workflowId, triggerType: 'http', triggerOutputs: {}, traceId: 'trace' });
  if (!result.ok) throw new Error(`refused: ${result.error.type}`);
  return result.value.runId;
}

describe('a running step\'s logs followed live', () => {
  beforeAll(async () => {
    projectId = await knownProject();
    token = await service.jwks.sign({ projectId, role: 'viewer' });
    actions = await build(['services/runner/test/actions/slow-print', 'services/runner/test/actions/slow-print-py']);
  }, 180_000);

  it.each([
    ['Node', 'slow-print@1.0.0'],
    ['Python', 'slow-print-py@1.0.0'],
  ])('sends a %s action\'s lines as output events while it runs, then its attempt, then the end', async (_runtime, action) => {
    const workflowId = await deploy(projectId, oneStep(action, { ms: 1500 }), actions);
    const runId = await started(workflowId);
    const events = await follow(`/runs/${runId}/steps/print/logs`, token);

    expect(story(events)).toEqual(['output 1 stdout first 1\n', 'output 1 stdout second 1\n', 'attempt 1 succeeded', 'end succeeded']);
    const [first, , ended] = events as [Seen, Seen, Seen];
    // "first" came as it was written, not when the attempt ended 1.5 s later.
    expect(ended.at - first.at).toBeGreaterThan(1000);
    // Output events carry no id: Last-Event-ID keeps counting ended attempts.
    expect(events.map((event) => event.id)).toEqual([undefined, undefined, '1', undefined]);
    expect(JSON.parse(ended.data)).toMatchObject({ attempt: 1, stdout: 'first 1\nsecond 1\n' });
  }, 30_000);

  it('follows a retried step attempt by attempt, each one\'s output before its attempt event', async () => {
    const workflowId = await deploy(projectId, oneStep('slow-print@1.0.0', { ms: 300, fail_first: true }, { attempts: 2, backoff: '200ms', on: ['error'] }), actions);
    const runId = await started(workflowId);
    const events = await follow(`/runs/${runId}/steps/print/logs`, token);

    expect(story(events)).toEqual([
      'output 1 stdout first 1\n', 'output 1 stdout second 1\n', 'attempt 1 failed',
      'output 2 stdout first 2\n', 'output 2 stdout second 2\n', 'attempt 2 succeeded',
      'end succeeded',
    ]);
  }, 30_000);
});
