import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../paths.js';

/** This checkout's Trellis version: the root package.json's, else trellis-adm's own (the root has none yet). */
export function trellisVersion(root = repoRoot()): string {
  for (const file of [join(root, 'package.json'), join(root, 'adm', 'package.json')]) {
    try {
      const version = (JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version;
      if (typeof version === 'string') return version;
    } catch {
      // next
    }
  }
  return '0.0.0';
}
