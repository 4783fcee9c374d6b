import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validate } from './validate.js';

const examples = resolve(import.meta.dirname, '../../../examples/actions');
const ryaxFixtures = resolve(import.meta.dirname, '../../action-manifest/test/fixtures/ryax');
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

  it('reads a Ryax trigger whose descriptions continue at the indentation of their key', async () => {
    const { lines, output } = capture();
    expect(await validate(join(ryaxFixtures, 'emit-every'), output)).toBe(0);
    expect(lines.out).toEqual(['emit-every 1.2.0: a valid python trigger (Ryax) (2 inputs, 1 outputs)']);
  });

  it('counts the inputs the platform sets', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'trellis-validate-'));
    folders.push(folder);
    await writeFile(join(folder, 'ryax_metadata.yaml'), [
      'apiVersion: "ryax.tech/v2.0"',
      'kind: Source',
      'spec:',
      '  id: static-site',
      '  human_name: Static site',
      '  type: python3',
      '  version: "1.0"',
      '  inputs:',
      '    - { name: ryax_endpoint_port, human_name: Port, help: Set by Ryax, type: integer }',
      '    - { name: dir, human_name: Folder, help: What to serve, type: directory }',
    ].join('\n'));
    await writeFile(join(folder, 'ryax_run.py'), 'async def run(service, input_values):\n    pass\n');
    const { lines, output } = capture();
    expect(await validate(folder, output)).toBe(0);
    expect(lines.out).toEqual(['static-site 1.0.0: a valid python trigger (Ryax) (2 inputs, 1 set by the platform, 0 outputs)']);
  });

  it("points at a Python handler's syntax error in the handler, and at Ryax features Trellis lacks in the manifest", async () => {
    const folder = await mkdtemp(join(tmpdir(), 'trellis-validate-'));
    folders.push(folder);
    await writeFile(join(folder, 'ryax_metadata.yaml'), [
      'apiVersion: "ryax.tech/v2.0"',
      'kind: Processor',
      'spec:',
      '  id: word-count',
      '  human_name: Word count',
      '  type: python3',
      '  version: "1.0"',
      '  description: "Count the words',
      '  of a text."',
      '  dependencies: [opencv]',
    ].join('\n'));
    await writeFile(join(folder, 'ryax_handler.py'), 'def handle(mod_in):\n    return {"count": len(mod_in["text"].split()\n');
    const { lines, output } = capture();
    expect(await validate(folder, output)).toBe(1);
    expect(lines.err).toEqual([
      expect.stringMatching(/^ryax_metadata\.yaml:10:3: Nix "dependencies" \(opencv\) are not installed by Trellis/),
      "ryax_handler.py:2:25: SyntaxError: '(' was never closed; the handler must compile",
      expect.stringMatching(/^2 problems in /),
    ]);
  });
});
