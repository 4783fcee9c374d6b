/** How one service's migrate step ended, read from what it printed (its JSON log lines). */
export type MigrationOutcome =
  | { readonly ok: true; readonly applied: readonly string[] }
  | {
      readonly ok: false;
      /** The migration that failed, when the step got as far as running one. */
      readonly migration: string | undefined;
      /** The database's error (or whatever else the step said last). */
      readonly said: string;
      /** Migrations applied before the failure (none when a migration failed: they run in one transaction). */
      readonly applied: readonly string[];
    };

type LogLine = { readonly level?: unknown; readonly message?: unknown; readonly applied?: unknown; readonly error?: unknown };

function parseLines(output: string): LogLine[] {
  return output.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      const parsed: unknown = JSON.parse(line);
      return typeof parsed === 'object' && parsed !== null ? [parsed as LogLine] : [];
    } catch {
      return [];
    }
  });
}

function errorMessageOf(line: LogLine): string | undefined {
  const error = line.error;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
  return undefined;
}

/** The last lines of free text, for a step that ended without saying why in its log. */
function tailOf(output: string): string {
  const lines = output.trim().split('\n').filter((line) => line.trim() !== '');
  return lines.slice(-5).join('\n') || '(it printed nothing)';
}

/**
 * Reads a migrate step (`services/<name>/dist/migrate.js`, packages/platform's
 * runMigrateCommand): `migrations applied` with the names on success, `migration failed` with
 * `migration <name> failed: <the database's error>` when a migration failed.
 */
export function migrationOutcome(output: string, exitedOk: boolean, ending = 'exit 1'): MigrationOutcome {
  const lines = parseLines(output);
  const appliedLine = lines.find((line) => line.message === 'migrations applied' && Array.isArray(line.applied));
  const applied = appliedLine ? (appliedLine.applied as unknown[]).map(String) : [];
  if (exitedOk) return { ok: true, applied };
  const failure = lines.find((line) => line.level === 'error' && errorMessageOf(line) !== undefined);
  const message = failure ? errorMessageOf(failure) : undefined;
  if (message === undefined) return { ok: false, migration: undefined, said: `${ending}: ${tailOf(output)}`, applied };
  const named = /^migration (\S+) failed(?:: ([\s\S]*))?$/.exec(message);
  if (named) return { ok: false, migration: named[1], said: named[2] ?? '(no error message)', applied };
  return { ok: false, migration: undefined, said: message, applied };
}
