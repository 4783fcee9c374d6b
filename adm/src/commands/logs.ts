import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { localSettingsFromEnv } from '../local/settings.js';
import type { Output } from './output.js';

/** `logs [name] [-f]`: the last lines of one log (or of all), following with -f. */
export async function logs(out: Output, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { paths } = localSettingsFromEnv(env);
  const follow = args.includes('-f') || args.includes('--follow');
  const names = args.filter((a) => !a.startsWith('-'));
  const available = existsSync(paths.logsDir)
    ? readdirSync(paths.logsDir).filter((f) => f.endsWith('.log')).map((f) => f.slice(0, -'.log'.length)).sort()
    : [];
  if (available.length === 0) {
    out.step(`no logs yet in ${paths.logsDir}`);
    return 0;
  }
  const unknown = names.filter((n) => !available.includes(n));
  if (unknown.length > 0) {
    out.step(`no log named ${unknown.join(', ')}; there are: ${available.join(', ')}`);
    return 2;
  }
  const files = (names.length > 0 ? names : available).map((n) => join(paths.logsDir, `${n}.log`));
  const tail = spawn('tail', ['-n', names.length === 1 ? '200' : '30', ...(follow ? ['-F'] : []), ...files], { stdio: ['ignore', 'inherit', 'inherit'] });
  const stop = () => tail.kill('SIGTERM');
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise((resolve) => tail.on('exit', (code) => resolve(follow ? 0 : (code ?? 0))));
}
