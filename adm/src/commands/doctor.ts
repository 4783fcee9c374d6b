import { exitCodeOf } from '../doctor/check.js';
import { reportLines } from '../doctor/report.js';
import { runDoctor } from '../doctor/run-doctor.js';
import { localSettingsFromEnv } from '../local/settings.js';
import type { Output } from './output.js';

/**
 * Checks the local instance and explains what is wrong, one line per finding (docs/operations.md,
 * "Doctor"). Exit 0 only when nothing failed; `--json` prints the findings as a JSON array.
 */
export async function doctor(out: Output, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const unknown = args.filter((arg) => arg !== '--json');
  if (unknown.length > 0) {
    out.line(`usage: trellis-adm doctor [--json] (unknown: ${unknown.join(' ')})`);
    return 2;
  }
  const checks = await runDoctor(localSettingsFromEnv(env), env);
  if (args.includes('--json')) out.line(JSON.stringify(checks, null, 2));
  else for (const line of reportLines(checks)) out.line(line);
  return exitCodeOf(checks);
}
