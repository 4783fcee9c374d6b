import { describe, expect, it } from 'vitest';
import type { ServiceName } from '../catalog.js';
import type { MigrationOutcome } from './migration-outcome.js';
import { failureLines, successLines } from './report.js';
import { runUpdate, type UpdatePorts } from './run-update.js';

const services: ServiceName[] = ['authorization', 'studio', 'runner'];

/** A platform in memory: what ran, in which order, and whether it runs. */
function aPlatform(options: { running: boolean; failing?: Partial<Record<ServiceName, MigrationOutcome>>; startFails?: string }) {
  const events: string[] = [];
  let running = options.running;
  const ports: UpdatePorts = {
    takeBackup: async () => {
      events.push(`backup (running: ${running})`);
      return { path: '/backups/trellis-1.tar' };
    },
    isRunning: () => running,
    stop: async () => {
      events.push('stop');
      running = false;
    },
    provision: async () => {
      events.push('provision');
    },
    migrate: async (service) => {
      events.push(`migrate ${service} (running: ${running})`);
      return options.failing?.[service] ?? { ok: true, applied: [`0002_${service}`] };
    },
    start: async () => {
      events.push('start');
      if (options.startFails !== undefined) throw new Error(options.startFails);
      running = true;
    },
  };
  return { ports, events, running: () => running };
}

describe('runUpdate', () => {
  it('backs up while it runs, stops, migrates each service in order, starts again', async () => {
    const platform = aPlatform({ running: true });
    const result = await runUpdate(platform.ports, services, { start: false }, () => undefined);
    expect(platform.events).toEqual(['backup (running: true)', 'stop', 'provision', 'migrate authorization (running: false)', 'migrate studio (running: false)', 'migrate runner (running: false)', 'start']);
    expect(result).toMatchObject({ ok: true, backup: '/backups/trellis-1.tar', wasRunning: true, started: true });
    expect(platform.running()).toBe(true);
  });

  it('leaves a stopped platform stopped, unless told to start it', async () => {
    const stopped = aPlatform({ running: false });
    const result = await runUpdate(stopped.ports, services, { start: false }, () => undefined);
    expect(stopped.events).toEqual(['backup (running: false)', 'provision', 'migrate authorization (running: false)', 'migrate studio (running: false)', 'migrate runner (running: false)']);
    expect(result).toMatchObject({ ok: true, started: false });
    if (result.ok) expect(successLines(result)[0]).toContain('left stopped');

    const started = aPlatform({ running: false });
    expect(await runUpdate(started.ports, services, { start: true }, () => undefined)).toMatchObject({ ok: true, started: true });
    expect(started.events.at(-1)).toBe('start');
  });

  it('stops at the first migration that fails, does not start, and says which, why, and where the backup is', async () => {
    const failing = { studio: { ok: false, migration: '0006_files', said: 'relation "files" already exists', applied: [] } } as const;
    const platform = aPlatform({ running: true, failing });
    const result = await runUpdate(platform.ports, services, { start: true }, () => undefined);
    expect(platform.events).toEqual(['backup (running: true)', 'stop', 'provision', 'migrate authorization (running: false)', 'migrate studio (running: false)']);
    expect(result).toEqual({
      ok: false,
      error: { type: 'MigrationFailed', backup: '/backups/trellis-1.tar', service: 'studio', migration: '0006_files', said: 'relation "files" already exists', migrated: [{ service: 'authorization', applied: ['0002_authorization'] }], notMigrated: ['studio', 'runner'] },
    });
    if (!result.ok) {
      const lines = failureLines(result.error).join('\n');
      expect(lines).toContain('update stopped: migration 0006_files of studio failed: relation "files" already exists');
      expect(lines).toContain('Migrated: authorization. Not migrated: studio, runner.');
      expect(lines).toContain('`trellis-adm restore /backups/trellis-1.tar --wipe`');
    }
  });

  it('says so when the platform does not start after migrating, with the backup', async () => {
    const platform = aPlatform({ running: true, startFails: 'runner cannot start as configured' });
    const result = await runUpdate(platform.ports, services, { start: false }, () => undefined);
    expect(result).toMatchObject({ ok: false, error: { type: 'StartFailed', backup: '/backups/trellis-1.tar', said: 'runner cannot start as configured' } });
  });

  it('touches nothing when the backup cannot be taken', async () => {
    const platform = aPlatform({ running: true });
    const ports = { ...platform.ports, takeBackup: () => Promise.reject(new Error('disk full')) };
    await expect(runUpdate(ports, services, { start: false }, () => undefined)).rejects.toThrow('disk full');
    expect(platform.events).toEqual([]);
    expect(platform.running()).toBe(true);
  });
});
