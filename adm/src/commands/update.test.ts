import { describe, expect, it } from 'vitest';
import { parseUpdateArgs } from './update.js';

describe('parseUpdateArgs', () => {
  it.each([
    [[], { backupFile: undefined, start: false, json: false }],
    [['-o', 'b.tar.gz', '--start', '--json'], { backupFile: 'b.tar.gz', start: true, json: true }],
    [['--output', 'b.tar.gz'], { backupFile: 'b.tar.gz', start: false, json: false }],
    [['-o'], { problem: '-o needs a file name' }],
    [['--yes'], { problem: 'unknown: --yes' }],
  ])('%j', (args, parsed) => {
    expect(parseUpdateArgs(args)).toEqual(parsed);
  });
});
