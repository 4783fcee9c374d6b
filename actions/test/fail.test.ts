import { afterAll, describe, expect, it } from 'vitest';
import { cleanUpRuns, runStandardAction } from './support/run-action.js';

afterAll(cleanUpRuns);

describe('fail', () => {
  it('stops the run with the code and message given', async () => {
    const run = await runStandardAction('fail', { code: 'invalid_order', message: 'order 42 has no lines' });
    expect(run.error).toEqual({ code: 'invalid_order', message: 'order 42 has no lines' });
  });

  it('uses the code failed by default', async () => {
    const run = await runStandardAction('fail', { message: 'stop' });
    expect(run.error?.code).toBe('failed');
  });

  it('refuses a code that is not snake_case', async () => {
    for (const code of ['Bad', 'with-dash', 'two__underscores', '_lead', 'x'.repeat(65)]) {
      const run = await runStandardAction('fail', { code, message: 'm' });
      expect(run.error?.code, code).toBe('bad_input');
    }
  });
});
