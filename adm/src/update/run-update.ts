import type { ServiceName } from '../catalog.js';
import type { MigrationOutcome } from './migration-outcome.js';

/** What the update needs from the world; commands/update.ts gives the real ones, tests their own. */
export type UpdatePorts = {
  /** A backup of the whole instance, kept where it says. */
  readonly takeBackup: () => Promise<{ readonly path: string }>;
  readonly isRunning: () => boolean;
  /** Stops the platform as `down` does. */
  readonly stop: () => Promise<void>;
  /** Provisions as `up` does (idempotent): what this version adds (a database, a broker user, an exchange) exists before migrating. */
  readonly provision: () => Promise<void>;
  /** Runs one service's migrate step (database migrations, broker topology). */
  readonly migrate: (service: ServiceName) => Promise<MigrationOutcome>;
  /** Starts the platform as `up` does and waits until every service answers; throws when it does not. */
  readonly start: () => Promise<void>;
};

export type ServiceMigrated = { readonly service: ServiceName; readonly applied: readonly string[] };

export type UpdateResult =
  | { readonly ok: true; readonly backup: string; readonly wasRunning: boolean; readonly started: boolean; readonly migrated: readonly ServiceMigrated[] }
  | { readonly ok: false; readonly error: UpdateFailure };

export type UpdateFailure =
  | {
      readonly type: 'MigrationFailed';
      readonly backup: string;
      readonly service: ServiceName;
      readonly migration: string | undefined;
      readonly said: string;
      readonly migrated: readonly ServiceMigrated[];
      readonly notMigrated: readonly ServiceName[];
    }
  | { readonly type: 'StartFailed'; readonly backup: string; readonly said: string; readonly migrated: readonly ServiceMigrated[] };

/**
 * `trellis-adm update`: a backup first (kept), then the platform stopped and provisioned, every service migrated
 * one after the other in `services`' order, up to the first that fails, then started again and
 * waited for, when it was running before (or `start` says so). A platform that was stopped stays
 * stopped: the operator stopped it for a reason.
 */
export async function runUpdate(
  ports: UpdatePorts,
  services: readonly ServiceName[],
  options: { readonly start: boolean },
  progress: (line: string) => void,
): Promise<UpdateResult> {
  const wasRunning = ports.isRunning();
  progress(`taking a backup first${wasRunning ? ' (the platform runs meanwhile)' : ''}`);
  const { path: backup } = await ports.takeBackup();
  progress(`backup kept in ${backup}`);
  if (wasRunning) {
    progress('stopping the platform');
    await ports.stop();
  }
  progress('provisioning what this version needs (databases, roles, broker users, exchanges)');
  await ports.provision();
  const migrated: ServiceMigrated[] = [];
  for (const [index, service] of services.entries()) {
    progress(`migrating ${service}`);
    const outcome = await ports.migrate(service);
    if (!outcome.ok) {
      const { migration, said } = outcome;
      return { ok: false, error: { type: 'MigrationFailed', backup, service, migration, said, migrated, notMigrated: services.slice(index) } };
    }
    migrated.push({ service, applied: outcome.applied });
  }
  const start = wasRunning || options.start;
  if (start) {
    progress('starting the platform');
    try {
      await ports.start();
    } catch (error) {
      return { ok: false, error: { type: 'StartFailed', backup, said: error instanceof Error ? error.message : String(error), migrated } };
    }
  }
  return { ok: true, backup, wasRunning, started: start, migrated };
}
