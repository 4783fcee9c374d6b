import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validate } from './validate.js';

const examples = resolve(import.meta.dirname, '../../../examples/actions');
const folders: string[] = [];
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

function capture() {
  const lines = { out: [] as string[], err: [] as string[] };
  return { lines, output: { out: (line: string) => void lines.out.push(line), err: (line: string) => void lines.err.push(line) } };
}

describe('trellis-action validate', () => {
  it('says what a valid action is', async () => {
    const { lines, output } = capture();
    expect(await validate(join(examples, 'uppercase'), output)).toBe(0);
    expect(lines.out).toEqual(['uppercase 1.0.0: a valid python processor (1 inputs, 1 outputs)']);
  });

  it('lists every problem with file:line:column and fails', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'trellis-validate-'));
    folders.push(folder);
    await writeFile(join(folder, 'trellis.yaml'), [
      'apiVersion: trellis.dev/v1',
      'kind: Processor',
      'id: Bad_Id',
      'version: 1.0.0',
      'name: Broken',
      'runtime: nodejs',
      'inptus: []',
    ].join('\n'));
    const { lines, output } = capture();
    expect(await validate(folder, output)).toBe(1);
    expect(lines.err.some((line) => /^trellis\.yaml:3:5: /.test(line))).toBe(true);
    expect(lines.err.some((line) => /^trellis\.yaml:7:1: .*inptus.*inputs/.test(line))).toBe(true);
    expect(lines.err.some((line) => /handler\.js/.test(line))).toBe(true);
    expect(lines.err.at(-1)).toMatch(/^\d+ problems in /);
  });
});
