import { describe, expect, it } from 'vitest';
import { codeAsRecorded, sameOutcome, sideBySide, verdict, type Side } from './replay-compare.js';

const aSide = (side: Partial<Side> = {}): Side => ({ status: 'succeeded', error: null, outputs: {}, stdout: '', stderr: '', durationMs: 10, ...side });
const failed = (code: string, message = 'no') => aSide({ status: 'failed', error: { code, message }, outputs: null });

describe('the outcome of a replay', () => {
  it.each([
    ['both succeeded, whatever the outputs', aSide({ outputs: { n: 1 } }), aSide({ outputs: { n: 2 } }), true],
    ['both failed with the same code, whatever the message', failed('declined', 'No thanks'), failed('declined', 'Nope'), true],
    ['the same status, another code', failed('declined'), failed('wrong_key'), false],
    ['recorded failed, local succeeded', failed('declined'), aSide(), false],
    ['recorded succeeded, local failed', aSide(), failed('declined'), false],
    ['bad outputs are recorded as step_failed', failed('step_failed', 'bad_output: n is not an integer'), failed('bad_output'), true],
    ['a timeout is a timeout', failed('timeout'), failed('timeout'), true],
  ])('%s', (_case, recorded, local, same) => {
    expect(sameOutcome(recorded, local)).toBe(same);
  });

  it('names each side in the verdict', () => {
    expect(verdict(failed('declined'), failed('declined'))).toBe('reproduced: failed (declined) locally as recorded');
    expect(verdict(aSide(), failed('wrong_key'))).toBe('not reproduced: recorded succeeded, local failed (wrong_key)');
    expect(codeAsRecorded('declined')).toBe('declined');
  });
});

describe('both sides printed', () => {
  const titles = { recorded: 'recorded: attempt 2', local: 'local: .' };

  it('prints status, error, every output of either side, duration and logs in two columns, then the verdict', () => {
    const lines = sideBySide(
      aSide({ outputs: { n: 2, text: 'hi' }, stdout: 'one\ntwo\n', durationMs: 31 }),
      aSide({ outputs: { n: 3, extra: [1] }, stdout: 'one\n', stderr: 'careful\n', durationMs: null }),
      titles, 74,
    );
    expect(lines).toEqual([
      '           recorded: attempt 2            │ local: .',
      `${'─'.repeat(11)}${'─'.repeat(31)}┼${'─'.repeat(31)}`,
      'status     succeeded                      │ succeeded',
      'error      -                              │ -',
      '.n         2                              │ 3',
      '.text      hi                             │ -',
      '.extra     -                              │ [1]',
      'duration   31 ms                          │ -',
      'stdout     one                            │ one',
      '           two                            │',
      'stderr     -                              │ careful',
      'reproduced: succeeded locally as recorded',
    ]);
  });

  it('wraps what is longer than a column, and shows an error by code and message', () => {
    const lines = sideBySide(failed('declined', 'x'.repeat(45)), failed('declined', 'short'), titles, 74);
    expect(lines.slice(2, 6)).toEqual([
      'status     failed                         │ failed',
      `error      ${'declined: ' + 'x'.repeat(20)} │ declined: short`,
      `           ${'x'.repeat(25).padEnd(30)} │`,
      'duration   10 ms                          │ 10 ms',
    ]);
  });
});
