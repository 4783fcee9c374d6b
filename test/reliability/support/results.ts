import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SCALE } from './scale.js';

export const RESULTS_DIR = resolve(import.meta.dirname, '..', 'results');

export type Cell = string | number;
export type Table = { headers: readonly string[]; rows: readonly (readonly Cell[])[] };

/** A Markdown table, numbers right-aligned. */
export function markdownTable({ headers, rows }: Table): string {
  const align = headers.map((_, i) => (rows.some((row) => typeof row[i] === 'number') ? '---:' : '---'));
  const line = (cells: readonly Cell[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(headers), line(align), ...rows.map(line)].join('\n');
}

/**
 * Writes a part's figures to results/<part>.json and its table to results/<part>.md, and prints
 * the table. `figures` is the part's own data; the scale and the date go with it.
 */
export async function writeResults(part: string, title: string, table: Table, figures: unknown): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const at = new Date().toISOString();
  const markdown = `# ${title}\n\nScale \`${SCALE}\`, ${at}.\n\n${markdownTable(table)}\n`;
  await writeFile(resolve(RESULTS_DIR, `${part}.json`), `${JSON.stringify({ part, scale: SCALE, at, table, figures }, null, 2)}\n`);
  await writeFile(resolve(RESULTS_DIR, `${part}.md`), markdown);
  console.log(`\n${markdown}`);
}
