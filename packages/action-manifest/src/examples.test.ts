import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAction } from './load.js';
import { formatProblem } from './problem.js';

const examples = resolve(import.meta.dirname, '../../../examples/actions');
const folders = readdirSync(examples).filter((name) => statSync(join(examples, name)).isDirectory());

describe('the example actions', () => {
  it('are all here', () => {
    expect(folders.sort()).toEqual(['echo', 'flaky', 'make-archive', 'raise-error', 'sleep', 'sum-list', 'ticker', 'uppercase', 'word-count']);
  });

  it.each(folders)('%s loads without a problem', async (folder) => {
    const result = await loadAction(join(examples, folder));
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
    if (result.ok) expect(result.definition.id).toBe(folder);
  });
});
