import { describe, expect, it } from 'vitest';
import { maskedOutcome, secretsOfCall } from './masked-outcome.js';

const logs = (stdout: string, stderr = '') => ({ stdout, stderr, truncated: false });

describe('a call outcome as it is kept', () => {
  it('names the run\'s secrets and what was passed to password inputs as the call\'s secrets', () => {
    const declared = [{ name: 'token', type: 'password' }, { name: 'text', type: 'string' }, { name: 'pin', type: 'password' }];
    expect(secretsOfCall(new Map([['API_KEY', 'project-key']]), declared, { token: 'caller-password', text: 'plain', pin: null })).toEqual(['project-key', 'caller-password']);
  });

  it('masks the secrets in the logs of a success and in the logs and message of a failure', () => {
    expect(maskedOutcome({ ok: true, outputs: {}, logs: logs('key project-key', 'err project-key'), durationMs: 1 }, ['project-key']))
      .toEqual({ ok: true, outputs: {}, logs: logs('key ***', 'err ***'), durationMs: 1 });
    const failed = maskedOutcome({ ok: false, failure: { kind: 'action_error', code: 'bad', message: 'refused project-key' }, logs: logs('project-key'), durationMs: 1 }, ['project-key']);
    expect(failed).toEqual({ ok: false, failure: { kind: 'action_error', code: 'bad', message: 'refused ***' }, logs: logs('***'), durationMs: 1 });
  });
});
