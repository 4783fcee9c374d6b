import { describe, expect, it } from 'vitest';
import { parseBackupArgs } from '../commands/backup.js';

describe('trellis-adm backup arguments', () => {
  it('takes -o, --compress and --include-keys; gzip by default', () => {
    expect(parseBackupArgs([])).toEqual({ output: undefined, compression: 'gzip', includeKeys: false, json: false });
    expect(parseBackupArgs(['-o', 'x.tar.zst', '--compress', 'zstd', '--include-keys'])).toEqual({ output: 'x.tar.zst', compression: 'zstd', includeKeys: true, json: false });
  });

  it('refuses what it does not know, saying what', () => {
    expect(parseBackupArgs(['--compress', 'lz4'])).toEqual({ problem: '--compress takes gzip, zstd or none (not lz4)' });
    expect(parseBackupArgs(['-o'])).toEqual({ problem: '-o needs a file name' });
    expect(parseBackupArgs(['--keys'])).toEqual({ problem: 'unknown: --keys' });
  });
});
