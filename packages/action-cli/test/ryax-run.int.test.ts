// `trellis-action run` on Ryax actions read from their ryax_metadata.yaml: the manifest's format
// reaches the wrapper, which calls the handler as Ryax does.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunOptions, runAction } from '../src/run.js';

const actions = resolve(import.meta.dirname, '../../action-wrapper/test/actions');
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'trellis-action-ryax-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function run(folder: string, inputs: string[], options: Partial<RunOptions> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAction(
    { folder: join(actions, folder), inputs, outDir: join(scratch, randomUUID()), json: false, ...options },
    { out: (line) => void out.push(line), err: (line) => void err.push(line) },
  );
  return { code, out, err };
}

describe('trellis-action run on Ryax actions', () => {
  it('a Python processor gets handle(mod_in) with None for unset optional inputs and floats as floats', async () => {
    const answer = await run('ryax-py-processor', ['mode=types', 'ratio=5']);
    expect(answer.code).toBe(0);
    expect(JSON.parse(answer.out[0] ?? '')).toMatchObject({ text: ['NoneType', null], ratio: ['float', 5], scale: ['float', 2] });
  });

  it('a RyaxException fails the run with its code', async () => {
    expect(await run('ryax-py-processor', ['mode=ryax-error'])).toMatchObject({ code: 1, err: ['error (404): no such user'] });
  });

  it('a Python source prints its create_run runs, and where it serves HTTP', async () => {
    const answer = await run('ryax-py-source', ['mode=count', 'count=2', 'prefix=t'], { count: 2 });
    expect(answer.code).toBe(0);
    expect(answer.out.map((line) => JSON.parse(line) as unknown)).toEqual([
      { n: 0, label: 't-0' },
      { n: 1, label: 't-1' },
    ]);
    expect(answer.err[0]).toMatch(/^the trigger serves HTTP at http:\/\/127\.0\.0\.1:\d+\/ryax-py-source \(RYAX_SOURCE_PORT=\d+\)$/);
  });

  it('a Node.js processor may be module.exports = handle', async () => {
    expect(await run('ryax-node-cjs', ['input_str=shout'])).toMatchObject({ code: 0, out: ['SHOUT (1 argument, optional null)'] });
  });
});
