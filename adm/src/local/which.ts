import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Like `command -v`: the first executable of that name on PATH (plus the sbin directories a non-login root shell may miss). */
export function findOnPath(command: string, path = process.env['PATH'] ?? ''): string | undefined {
  const dirs = [...path.split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
