import { Migrator, type Kysely, type Migration } from 'kysely';

export type Migrations = Readonly<Record<string, Migration>>;

/**
 * Runs every pending migration in name order. The list is explicit (imported by the service)
 * rather than read from a folder, so the compiled service cannot miss or misorder a file.
 */
export async function migrateToLatest(db: Kysely<unknown>, migrations: Migrations): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...migrations }) } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error || failed) {
    // The database's own words go in the message: the log keeps an error's message, not its cause.
    const said = error instanceof Error ? `: ${error.message}` : '';
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed${said}`, { cause: error });
  }
  return (results ?? []).map((result) => result.migrationName);
}
