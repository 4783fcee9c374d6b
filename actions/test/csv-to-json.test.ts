import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanUpRuns, runStandardAction } from './support/run-action.js';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'csv-to-json-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
  await cleanUpRuns();
});

describe('csv-to-json', () => {
  it('reads rows keyed by the header, with quotes, a BOM and blank lines', async () => {
    const run = await runStandardAction('csv-to-json', { csv: '\uFEFFname,note\nAda,"says ""hi"", twice"\n\nBob,"two\nlines"\n' });
    expect(run.error).toBeNull();
    expect(run.outputs).toEqual({ rows: [{ name: 'Ada', note: 'says "hi", twice' }, { name: 'Bob', note: 'two\nlines' }], count: 2 });
  });

  it('reads a file with another delimiter and no header', async () => {
    const path = join(scratch, 'rows.tsv');
    await writeFile(path, 'a\t1\nb\t2\n');
    const run = await runStandardAction('csv-to-json', { file: { file: path }, delimiter: '\\t', header: false });
    expect(run.outputs).toEqual({ rows: [['a', '1'], ['b', '2']], count: 2 });
  });

  it('names the line of a broken record', async () => {
    const short = await runStandardAction('csv-to-json', { csv: 'a,b\n1,2\n3\n' });
    expect(short.error?.code).toBe('bad_csv');
    expect(short.error?.message).toContain('line 3');
    const quote = await runStandardAction('csv-to-json', { csv: 'a,b\n1,"2\n' });
    expect(quote.error?.code).toBe('bad_csv');
    const twice = await runStandardAction('csv-to-json', { csv: 'a,a\n1,2\n' });
    expect(twice.error?.code).toBe('bad_csv');
  });

  it('refuses more than max_rows rows while reading', async () => {
    const path = join(scratch, 'many.csv');
    await writeFile(path, `n\n${Array.from({ length: 5000 }, (_, i) => i).join('\n')}\n`);
    const run = await runStandardAction('csv-to-json', { file: { file: path }, max_rows: 1000 });
    expect(run.error?.code).toBe('too_many_rows');
    expect(run.error?.message).toContain('line 1002');
    const exact = await runStandardAction('csv-to-json', { file: { file: path }, max_rows: 5000 });
    expect(exact.outputs.count).toBe(5000);
  });

  it('wants exactly one of csv and file', async () => {
    expect((await runStandardAction('csv-to-json', {})).error?.code).toBe('bad_input');
  });
});
