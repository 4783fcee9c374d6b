import { describe, expect, it } from 'vitest';
import { migrationOutcome } from './migration-outcome.js';

const log = (fields: Record<string, unknown>) => JSON.stringify({ service: 'runner', timestamp: '2026-12-03T09:00:00Z', ...fields });

describe('migrationOutcome', () => {
  it('lists the migrations a step applied', () => {
    const output = `${log({ level: 'info', message: 'migrations applied', applied: ['0011_webhooks', '0013_signals'], count: 2 })}\n${log({ level: 'info', message: 'broker topology declared' })}\n`;
    expect(migrationOutcome(output, true)).toEqual({ ok: true, applied: ['0011_webhooks', '0013_signals'] });
    expect(migrationOutcome(log({ level: 'info', message: 'migrations applied', applied: [], count: 0 }), true)).toEqual({ ok: true, applied: [] });
  });

  it('names the migration that failed and the database error', () => {
    const error = { name: 'Error', message: 'migration 0013_signals failed: relation "signals" already exists', stack: 'Error: migration …' };
    const output = `(node:1) a warning\n${log({ level: 'error', message: 'migration failed', error })}\n`;
    expect(migrationOutcome(output, false)).toEqual({ ok: false, migration: '0013_signals', said: 'relation "signals" already exists', applied: [] });
  });

  it('says what a step said when no migration failed (the broker, the configuration) and what it applied before', () => {
    const output = [
      log({ level: 'info', message: 'migrations applied', applied: ['0002_x'], count: 1 }),
      log({ level: 'error', message: 'migration failed', error: { message: 'connect ECONNREFUSED 127.0.0.1:5672' } }),
    ].join('\n');
    expect(migrationOutcome(output, false)).toEqual({ ok: false, migration: undefined, said: 'connect ECONNREFUSED 127.0.0.1:5672', applied: ['0002_x'] });
    expect(migrationOutcome('TRELLIS_DATABASE_URL: Required\n', false, 'exit 78')).toEqual({ ok: false, migration: undefined, said: 'exit 78: TRELLIS_DATABASE_URL: Required', applied: [] });
    expect(migrationOutcome('', false, 'killed by SIGKILL')).toMatchObject({ said: 'killed by SIGKILL: (it printed nothing)' });
  });
});
