import { describe, expect, it } from 'vitest';
import type { StepRow, TransitionWrite } from '../../application/run-store.js';
import { mergeTransitions } from './merge-transitions.js';

const at = new Date('2030-01-01T00:00:00Z');
const row = (step: string, status: StepRow['status'], attempt: number): StepRow => ({
  step, status, attempt, inputs: null, outputs: null, error: null, startedAt: at, finishedAt: null, retryAt: null,
});
const logs = (stdout: string) => ({ stdout, stderr: '', truncated: false });

describe('merging two transitions of one run', () => {
  it('keeps the later row of each step and attempt, and drops a fence the earlier transition satisfies', () => {
    const earlier: TransitionWrite = {
      runId: 'r', epoch: 3, expect: [{ step: 'each[0]', attempt: 1 }],
      steps: [row('each[0]', 'succeeded', 1), row('each[16]', 'running', 1)],
      attempts: [
        { step: 'each[0]', attempt: 1, status: 'succeeded', error: null, logs: logs('zero\n'), startedAt: at, finishedAt: at },
        { step: 'each[16]', attempt: 1, status: 'running', error: null, logs: null, startedAt: at, finishedAt: null },
      ],
    };
    const later: TransitionWrite = {
      runId: 'r', epoch: 3, expect: [{ step: 'each[16]', attempt: 1 }, { step: 'each[1]', attempt: 1 }],
      steps: [row('each[16]', 'succeeded', 1), row('each[1]', 'succeeded', 1)],
      attempts: [{ step: 'each[16]', attempt: 1, status: 'succeeded', error: null, logs: logs('sixteen\n'), startedAt: new Date(at.getTime() + 5), finishedAt: at }],
      end: { status: 'succeeded', results: {}, error: null, at },
    };
    const merged = mergeTransitions(earlier, later);
    expect(merged.expect).toEqual([{ step: 'each[0]', attempt: 1 }, { step: 'each[1]', attempt: 1 }]);
    expect(merged.steps.map((step) => [step.step, step.status])).toEqual([['each[0]', 'succeeded'], ['each[16]', 'succeeded'], ['each[1]', 'succeeded']]);
    expect(merged.attempts.map((attempt) => [attempt.step, attempt.status, attempt.logs?.stdout, attempt.startedAt])).toEqual([
      ['each[0]', 'succeeded', 'zero\n', at], ['each[16]', 'succeeded', 'sixteen\n', at],
    ]);
    expect(merged.end?.status).toBe('succeeded');
  });

  it('refuses transitions of two runs or two epochs', () => {
    const write: TransitionWrite = { runId: 'r', epoch: 1, expect: [], steps: [], attempts: [] };
    expect(() => mergeTransitions(write, { ...write, runId: 's' })).toThrow();
    expect(() => mergeTransitions(write, { ...write, epoch: 2 })).toThrow();
  });
});
