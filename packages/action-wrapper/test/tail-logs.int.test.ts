// TailLogs: an execution's output followed while it runs, through the real wrapper over real gRPC.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as pb from '../src/infrastructure/pb/action/v1/action.js';
import { type TestWrapper, miscAction, startTestWrapper, v } from './harness.js';

type Seen = { stream: 'stdout' | 'stderr'; text: string; at: number };

/** Follows `executionId` until the stream ends: every chunk, and when it came. */
function tail(wrapper: TestWrapper, executionId: string): Promise<Seen[]> {
  return new Promise((resolve, reject) => {
    const seen: Seen[] = [];
    const call = wrapper.client.tailLogs(pb.TailLogsRequest.fromPartial({ executionId }));
    call.on('data', (chunk: pb.TailLogsResponse) => {
      seen.push({ stream: chunk.stream === pb.TailLogsResponse_Stream.STREAM_STDERR ? 'stderr' : 'stdout', text: chunk.text, at: Date.now() });
    });
    call.on('end', () => resolve(seen));
    call.on('error', reject);
  });
}

const textOf = (seen: readonly Seen[], stream: Seen['stream']) => seen.filter((chunk) => chunk.stream === stream).map((chunk) => chunk.text).join('');

async function untilRunning(wrapper: TestWrapper): Promise<void> {
  for (let tries = 0; (await wrapper.health()).running === 0; tries++) {
    if (tries > 200) throw new Error('the execution never started');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each([
  ['Node', 'nodejs', 'node-misc'],
  ['Python', 'python', 'py-misc'],
] as const)('TailLogs on a %s handler', (_name, runtime, folder) => {
  let wrapper: TestWrapper;
  beforeAll(async () => {
    wrapper = await startTestWrapper(folder, miscAction(runtime), { timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await wrapper?.close();
  });

  it('sends what the execution writes while it runs, then ends with it', async () => {
    const executionId = `tail-${runtime}`;
    // The handler prints, sleeps 700 ms, prints again.
    const running = wrapper.run({ executionId, inputs: { mode: v.enum('tail'), size: v.integer(700) } }).then((response) => ({ response, at: Date.now() }));
    await untilRunning(wrapper);
    const seen = await tail(wrapper, executionId);
    const { response, at: answeredAt } = await running;

    expect(response.error).toBeUndefined();
    expect(seen[0]).toMatchObject({ stream: 'stdout', text: 'first\n' });
    // Sent as written: well before the pause ended, not with the answer.
    expect(answeredAt - (seen[0]?.at ?? answeredAt)).toBeGreaterThan(400);
    expect(textOf(seen, 'stdout')).toBe('first\nsecond\n');
    expect(textOf(seen, 'stderr')).toBe('warn\n');
    // The Run's own logs are whole as before.
    expect(response.logs).toEqual({ stdout: 'first\nsecond\n', stderr: 'warn\n', truncated: false });
  });

  it('ends at once, with nothing, for an execution it does not run', async () => {
    expect(await tail(wrapper, 'no-such-execution')).toEqual([]);
  });
});
