import { describe, expect, it } from 'vitest';
import type { ChildState, SupervisorState } from './supervisor-plan.js';
import { failureReport } from './wait-until-ready.js';

function aChild(change: Partial<ChildState> = {}): ChildState {
  return {
    status: 'up', pid: 1, pidStartTime: null, command: 'node main.js', restarts: 0, ready: true, startedAt: null,
    lastExit: null, lastError: null, lastOutput: null, health: null, log: '/work/main/.trellis/logs/x.log', ...change,
  };
}

function aState(children: Record<string, ChildState>): SupervisorState {
  return { pid: 1, pidStartTime: null, status: 'running', startedAt: '', updatedAt: '', meta: {}, children };
}

describe('the report of a service the supervisor gave up on', () => {
  it('is nothing while every service runs or is restarted', () => {
    expect(failureReport(aState({ studio: aChild(), runner: aChild({ status: 'backoff', restarts: 3 }) }))).toBeUndefined();
  });

  it('shows what the service said, and for a secret key that does not open its signing keys, what to do', () => {
    const said = 'TRELLIS_SECRET_KEY does not open the stored signing keys: it must stay the same across restarts';
    const report = failureReport(aState({
      studio: aChild(),
      authorization: aChild({ status: 'failed', lastError: `cannot run as configured (exit 78): ${said}`, lastOutput: said, log: '/work/main/.trellis/logs/authorization.log' }),
    }));
    expect(report).toContain(`authorization cannot start as configured, so it is not restarted. It said:\n    ${said}\n`);
    expect(report).toMatch(/log: .*\.trellis\/logs\/authorization\.log/);
    expect(report).toMatch(/Put back the secrets\.env it was made with, or start over: `make reset`/);
    expect(report).not.toContain('studio');
  });

  it('points at the log for any other configuration problem', () => {
    const report = failureReport(aState({ runner: aChild({ status: 'failed', lastError: 'migrate cannot run as configured (exit 78)', lastOutput: 'Invalid configuration:\n  TRELLIS_S3_BUCKET: required (not set)' }) }));
    expect(report).toContain('    Invalid configuration:\n      TRELLIS_S3_BUCKET: required (not set)');
    expect(report).toMatch(/Fix that, then run `make up` again; `make logs name=runner` shows its whole log/);
  });
});
