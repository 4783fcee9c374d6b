import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../../exit-codes.js';
import { parseInputs } from './inputs.js';

let folder = '';
beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'trellis-inputs-'));
  await writeFile(path.join(folder, 'order.json'), '{"lines": [1, 2]}\n');
  await writeFile(path.join(folder, 'note.txt'), 'not = json\n');
});
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('--input NAME=VALUE', () => {
  it('reads VALUE as JSON when it is JSON, as text otherwise; the first = splits', () => {
    expect(parseInputs(['n=1', 'ok=true', 'tags=["a"]', 'text=hello world', 'quoted="42"', 'eq=a=b', 'empty='])).toEqual({
      n: 1, ok: true, tags: ['a'], text: 'hello world', quoted: '42', eq: 'a=b', empty: '',
    });
  });

  it('reads NAME=@FILE from the file: JSON if it parses, its text otherwise', () => {
    expect(parseInputs([`order=@${path.join(folder, 'order.json')}`, `note=@${path.join(folder, 'note.txt')}`])).toEqual({ order: { lines: [1, 2] }, note: 'not = json\n' });
  });

  it('refuses what is not NAME=VALUE, and a file it cannot read, as usage errors', () => {
    expect(() => parseInputs(['=1'])).toThrow(CliError);
    expect(() => parseInputs(['novalue'])).toThrow(/is not NAME=VALUE/);
    expect(() => parseInputs([`x=@${path.join(folder, 'missing')}`])).toThrow(/cannot read .*ENOENT/);
  });
});
