import type { UpdateFailure, UpdateResult } from './run-update.js';

const restoreAdvice = (backup: string) =>
  `To go back to where you were: check out the Trellis version you updated from, then \`trellis-adm restore ${backup} --wipe\`.`;

/** What a failed update says: what failed and why, where things stand, and how to go back. */
export function failureLines(failure: UpdateFailure): string[] {
  switch (failure.type) {
    case 'MigrationFailed': {
      const which = failure.migration === undefined ? `the migrate step of ${failure.service}` : `migration ${failure.migration} of ${failure.service}`;
      const done = failure.migrated.map((m) => m.service);
      return [
        `update stopped: ${which} failed: ${failure.said}`,
        `${failure.service}'s pending migrations run in one transaction: none of them is applied.` +
          (done.length > 0 ? ` Migrated: ${done.join(', ')}.` : '') +
          ` Not migrated: ${failure.notMigrated.join(', ')}. The platform is left stopped.`,
        `The backup taken before the update: ${failure.backup}`,
        `Fix the cause and run \`trellis-adm update\` again. ${restoreAdvice(failure.backup)}`,
      ];
    }
    case 'StartFailed':
      return [
        `update stopped: every service is migrated, but the platform did not start: ${failure.said}`,
        `The backup taken before the update: ${failure.backup}`,
        `\`trellis-adm logs <service>\` says why; \`trellis-adm up\` starts it once fixed. ${restoreAdvice(failure.backup)}`,
      ];
  }
}

/** What a finished update says, on stdout. */
export function successLines(result: Extract<UpdateResult, { ok: true }>): string[] {
  const migrations = result.migrated.map((m) => `  ${m.service}: ${m.applied.length === 0 ? 'up to date' : `applied ${m.applied.join(', ')}`}`);
  const state = result.started
    ? 'the platform runs and every service answers'
    : 'the platform was not running and is left stopped (`trellis-adm up` starts it)';
  return [`updated: ${state}`, ...migrations, `backup taken before the update: ${result.backup}`];
}

/** The same for `--json`. */
export function jsonOf(result: UpdateResult): unknown {
  return result.ok ? { ok: true, backup: result.backup, wasRunning: result.wasRunning, started: result.started, migrated: result.migrated } : { ok: false, ...result.error };
}
