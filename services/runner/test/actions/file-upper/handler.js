import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export async function handle({ doc }) {
  const text = await readFile(doc, 'utf8');
  const out = path.join(await mkdtemp(path.join(tmpdir(), 'upper-')), `${path.basename(doc, path.extname(doc))}.upper.txt`);
  await writeFile(out, text.toUpperCase());
  return { upper: out, bytes: Buffer.byteLength(text) };
}
