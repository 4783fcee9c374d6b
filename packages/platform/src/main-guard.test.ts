import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from './config.js';
import { CONFIG_ERROR_EXIT_CODE, runMain } from './main-guard.js';

function exitOf(main: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => runMain(main, resolve));
}

describe('runMain', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('exits 78 (EX_CONFIG) on a configuration problem, printing only its message', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await exitOf(() => Promise.reject(new ConfigError('TRELLIS_SECRET_KEY does not open the stored signing keys')));
    expect(code).toBe(CONFIG_ERROR_EXIT_CODE);
    expect(CONFIG_ERROR_EXIT_CODE).toBe(78);
    expect(stderr.mock.calls.map(([text]) => String(text))).toEqual(['TRELLIS_SECRET_KEY does not open the stored signing keys\n']);
  });

  it('exits 1 on any other failure (a supervisor restarts it), with the stack', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await exitOf(() => Promise.reject(new Error('connection refused')))).toBe(1);
    expect(String(stderr.mock.calls[0]?.[0])).toMatch(/^fatal: Error: connection refused\n\s+at /);
  });
});
