import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanUpRuns, runStandardAction } from './support/run-action.js';

afterAll(cleanUpRuns);

describe('json-to-csv', () => {
  it('writes objects with a header from their keys, quoting what needs it', async () => {
    const run = await runStandardAction('json-to-csv', {
      rows: [{ name: 'Ada, L', age: 36, admin: true }, { name: 'Bob "B"', tags: ['x'], age: null }],
    });
    expect(run.error).toBeNull();
    expect(run.outputs.csv).toBe('name,age,admin,tags\n"Ada, L",36,true,\n"Bob ""B""",,,"[""x""]"\n');
  });

  it('writes the columns given, in their order, with another delimiter', async () => {
    const run = await runStandardAction('json-to-csv', { rows: [{ a: 1, b: 2, c: 3 }], columns: ['c', 'a'], delimiter: ';' });
    expect(run.outputs.csv).toBe('c;a\n3;1\n');
  });

  it('writes lists without a header, and a file when asked', async () => {
    const run = await runStandardAction('json-to-csv', { rows: [['a', 1], ['b', { x: 1 }]], as_file: true });
    expect(run.outputs.csv).toBeUndefined();
    expect(await readFile(run.outputs.file as string, 'utf8')).toBe('a,1\nb,"{""x"":1}"\n');
  });

  it('round-trips through csv-to-json', async () => {
    const rows = [{ name: 'multi\nline', note: 'a,b' }, { name: 'plain', note: '"q"' }];
    const csv = await runStandardAction('json-to-csv', { rows });
    const back = await runStandardAction('csv-to-json', { csv: csv.outputs.csv as string });
    expect(back.outputs.rows).toEqual(rows);
  });

  it('refuses rows that are not a list of objects or lists', async () => {
    expect((await runStandardAction('json-to-csv', { rows: { a: 1 } })).error?.code).toBe('bad_input');
    expect((await runStandardAction('json-to-csv', { rows: [1, 2] })).error?.code).toBe('bad_input');
  });
});
