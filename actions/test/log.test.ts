import { afterAll, describe, expect, it } from 'vitest';
import { cleanUpRuns, runStandardAction } from './support/run-action.js';

afterAll(cleanUpRuns);

describe('log', () => {
  it('writes one line with the level and data, and passes the message on', async () => {
    const run = await runStandardAction('log', { message: 'imported\n3 rows', level: 'warn', data: { rows: 3 } });
    expect(run.error).toBeNull();
    expect(run.outputs.message).toBe('imported\n3 rows');
    expect(run.stdout).toContain('[warn] imported\\n3 rows {"rows":3}\n');
  });

  it('logs at info by default', async () => {
    const run = await runStandardAction('log', { message: 'hello' });
    expect(run.stdout).toContain('[info] hello\n');
  });
});
