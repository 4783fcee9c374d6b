import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ActionKind, Runtime } from './definition.js';
import { loadAction } from './load.js';
import { formatProblem } from './problem.js';

const examples = resolve(import.meta.dirname, '../../../examples/actions');
const subfolders = (folder: string) => readdirSync(folder).filter((name) => statSync(join(folder, name)).isDirectory()).sort();

/** examples/actions/ryax: the Ryax catalogue; unsupported/ holds the ones Trellis refuses. */
const ryax = join(examples, 'ryax');
const folders = subfolders(examples).filter((name) => name !== 'ryax');
const ryaxFolders = subfolders(ryax).filter((name) => name !== 'unsupported');
const unsupportedFolders = subfolders(join(ryax, 'unsupported'));

/** The rows of the catalogue's README tables, by folder: the cells, backticks and all. */
const readmeRows = new Map(
  readFileSync(join(ryax, 'README.md'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()))
    .map((cells) => [(cells[0] ?? '').replaceAll('`', ''), cells] as const),
);

const KINDS: Readonly<Record<string, ActionKind>> = { Processor: 'Processor', Publisher: 'Publisher', Source: 'Trigger' };
const RUNTIMES: Readonly<Record<string, Runtime>> = { python3: 'python', nodejs: 'nodejs' };

describe('the example actions', () => {
  it('are all here', () => {
    expect(folders).toEqual(['add-one', 'echo', 'flaky', 'make-archive', 'raise-error', 'sleep', 'sum-list', 'ticker', 'uppercase', 'word-count']);
  });

  it.each(folders)('%s loads without a problem', async (folder) => {
    const result = await loadAction(join(examples, folder));
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
    if (result.ok) expect(result.definition.id).toBe(folder);
  });
});

describe('the Ryax catalogue (examples/actions/ryax)', () => {
  it('has at least 12 actions that run, one refused for each Ryax feature Trellis cannot honour, and a README row for each', () => {
    expect(ryaxFolders.length).toBeGreaterThanOrEqual(12);
    expect(unsupportedFolders).toEqual(['cuda-runtime', 'dynamic-outputs', 'gpu-resources', 'hpc-addon', 'nix-dependencies', 'nix-overlay', 'python-version']);
    expect([...readmeRows.keys()].sort()).toEqual([...ryaxFolders, ...unsupportedFolders.map((name) => `unsupported/${name}`)].sort());
  });

  it.each(ryaxFolders)('%s loads as a Ryax action without a problem, of the kind and type its README row says', async (folder) => {
    const result = await loadAction(join(ryax, folder));
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
    if (!result.ok) return;
    const [, kind, type] = readmeRows.get(folder) ?? [];
    expect(result.definition).toMatchObject({ id: folder, kind: KINDS[kind ?? ''], runtime: RUNTIMES[type ?? ''], source: { format: 'ryax' } });
  });

  it.each(unsupportedFolders)('unsupported/%s is refused with exactly the problems its README row names', async (folder) => {
    const result = await loadAction(join(ryax, 'unsupported', folder));
    const expected = [...(readmeRows.get(`unsupported/${folder}`)?.[2] ?? '').matchAll(/`(\w+)` at `([^`]+)`/g)].map(([, code, at]) => `${at} ${code}`);
    expect(expected).not.toEqual([]);
    expect(result.ok ? [] : result.problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.code}`)).toEqual(expected);
  });
});
