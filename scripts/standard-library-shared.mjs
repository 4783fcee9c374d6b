#!/usr/bin/env node
// The standard library's shared files (actions/shared/: the ActionError class, the network guard,
// the S3 client) are copied into each action folder that uses them, because the builder builds a
// folder alone and a folder cannot import from outside itself. A folder uses a shared file when it
// has a file of that name; this writes the shared version over it.
//   node scripts/standard-library-shared.mjs          copy
//   node scripts/standard-library-shared.mjs --check  exit 1 when a copy differs from actions/shared/
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', 'actions');
const shared = join(root, 'shared');
const check = process.argv.includes('--check');
const files = readdirSync(shared).filter((name) => name.endsWith('.js'));
const folders = readdirSync(root, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, 'trellis.yaml')))
  .map((entry) => entry.name);

let differing = 0;
for (const file of files) {
  const canonical = readFileSync(join(shared, file), 'utf8');
  for (const folder of folders) {
    const copy = join(root, folder, file);
    if (!existsSync(copy) || readFileSync(copy, 'utf8') === canonical) continue;
    if (check) {
      differing++;
      console.error(`actions/${folder}/${file} differs from actions/shared/${file}: run node scripts/standard-library-shared.mjs`);
    } else {
      writeFileSync(copy, canonical);
      console.log(`actions/${folder}/${file}`);
    }
  }
}
process.exit(differing > 0 ? 1 : 0);
