#!/usr/bin/env node
// npm links a workspace's `bin` only if the file exists at install time, and on a fresh clone
// tsc writes it later: the build runs `npm rebuild --ignore-scripts` to link them (npx
// trellis-action, trellis-adm…), then this marks every declared bin executable.
import { chmodSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// Our workspace patterns are `dir/*` or a folder (Node 20 has no fs.globSync).
const folders = workspaces.flatMap((pattern) =>
  pattern.endsWith('/*') ? readdirSync(join(root, pattern.slice(0, -2))).map((name) => join(pattern.slice(0, -2), name)) : [pattern]);
for (const folder of folders) {
  const manifest = join(root, folder, 'package.json');
  if (!existsSync(manifest)) continue;
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8'));
  for (const target of Object.values(typeof bin === 'string' ? { main: bin } : (bin ?? {}))) {
    const file = join(root, folder, target);
    if (existsSync(file)) chmodSync(file, 0o755);
  }
}
