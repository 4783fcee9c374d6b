import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { bytesText } from '../backup/run-backup.js';
import { runRestore } from '../backup/run-restore.js';
import { localSettingsFromEnv } from '../local/settings.js';
import type { Output } from './output.js';

const USAGE = 'usage: trellis-adm restore FILE [--wipe] [--yes] [--json]';

async function ask(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/**
 * Restores an archive of `trellis-adm backup` into this (stopped, empty or --wipe'd) instance,
 * after checking all of it (docs/operations.md, "Backup and restore").
 */
export async function restore(out: Output, args: readonly string[], env: NodeJS.ProcessEnv = process.env, progress = (text: string) => process.stderr.write(`trellis: ${text}\n`)): Promise<number> {
  const flags = new Set(args.filter((a) => a.startsWith('-')));
  const files = args.filter((a) => !a.startsWith('-'));
  const unknown = [...flags].filter((f) => !['--yes', '--wipe', '--json'].includes(f));
  if (files.length !== 1 || unknown.length > 0) {
    out.line(`${USAGE}${unknown.length > 0 ? ` (unknown: ${unknown.join(' ')})` : ''}`);
    return 2;
  }
  const file = resolve(files[0] as string);
  if (!existsSync(file)) {
    out.line(`trellis: restore refused: no file ${file}`);
    return 1;
  }
  const yes = flags.has('--yes');
  const result = await runRestore(localSettingsFromEnv(env), env, {
    file,
    wipe: flags.has('--wipe'),
    confirm: async (question) => {
      if (yes) return true;
      if (!process.stdin.isTTY) {
        progress(`${question}: no terminal to ask; add --yes`);
        return false;
      }
      return ask(question);
    },
  }, progress);
  if (result.kind === 'refused') {
    out.line(`trellis: restore refused: ${result.reason}${result.hint ? ` (${result.hint})` : ''}`);
    return 1;
  }
  if (result.kind === 'failed') {
    out.line(`trellis: restore failed: ${result.reason} (${result.hint})`);
    return 1;
  }
  if (result.kind === 'cancelled') {
    out.line('trellis: restore cancelled; nothing was changed');
    return 1;
  }
  const { summary } = result;
  if (flags.has('--json')) {
    out.line(JSON.stringify(summary, null, 2));
    return 0;
  }
  out.line(`restored ${summary.file}: instance ${summary.from.instance} of ${summary.from.createdAt} (Trellis ${summary.from.trellisVersion})${summary.migrated ? ', migrated forward' : ''}`);
  for (const [service, tables] of Object.entries(summary.tables)) {
    const rows = Object.entries(tables).filter(([table]) => !table.startsWith('kysely_'));
    out.line(`  ${service.padEnd(15)} ${rows.reduce((n, [, c]) => n + c, 0)} rows: ${rows.map(([t, c]) => `${t} ${c}`).join(', ')}`);
  }
  out.line(`  ${'objects'.padEnd(15)} ${summary.objects} (${bytesText(summary.bytes)})`);
  for (const [name, match] of [['TRELLIS_SECRET_KEY', summary.keys.secretKey], ['TRELLIS_RUNNER_SEALING_KEY', summary.keys.runnerSealingKey]] as const) {
    if (match === 'different') out.line(`warning: this instance's ${name} is not the backed-up instance's: what it sealed cannot be opened; put the backed-up instance's keys in place (docs/operations.md, "Backup and restore")`);
  }
  return 0;
}
