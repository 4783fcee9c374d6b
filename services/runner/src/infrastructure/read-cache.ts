import type { Logger } from '@trellis/platform/logger';
import { listenForNotifications } from '@trellis/platform/postgres/listener';
import type { ProjectValues } from '../application/ports.js';
import type { RunStore } from '../application/run-store.js';
import type { RunQueries } from './postgres/run-queries.js';

/*
 * Reads that every run repeats, kept in this process until the database says they changed
 * (docs/runner.md, "Read cache"; docs/decisions.md): what an HTTP path serves, the version a
 * workflow serves, the project's variables. A trigger on their tables sends a notice at every
 * commit that changes them (migration 0007); the notice empties the cache. While the listening
 * connection is down, a notice may be missed, so the cache reads through until it listens again;
 * and an entry lives at most `ttlMs` anyway (a listening connection that died silently).
 * Secrets are never kept: they are read (and opened) per run, as before.
 */

/** Sent by the triggers of migration 0007 (deployments, projects, project_variables). */
export const READS_CHANNEL = 'trellis_runner_reads';

/** The longest an entry is kept without a notice (the fallback for a listening connection that died silently). */
export const READ_CACHE_TTL_MS = 10_000;

export type ReadCache = {
  /** `load()`'s value, kept until the next change; undefined is never kept (an unknown path costs a read, not memory). */
  read: <T>(key: string, load: () => Promise<T>) => Promise<T>;
  /** Forgets one key (a write found it stale). */
  forget: (key: string) => void;
  /** A change was committed, or the listener (re)connected: forgets everything and keeps again. */
  changed: () => void;
  /** Notices may be missed from now on: forgets everything and reads through until `changed`. */
  deaf: () => void;
};

export function makeReadCache(options: { ttlMs: number; now: () => number }): ReadCache {
  const entries = new Map<string, { value: Promise<unknown>; at: number }>();
  let listening = false;
  return {
    read: <T>(key: string, load: () => Promise<T>): Promise<T> => {
      if (!listening) return load();
      const held = entries.get(key);
      if (held && options.now() - held.at < options.ttlMs) return held.value as Promise<T>;
      const value = load();
      const entry = { value, at: options.now() };
      entries.set(key, entry);
      // Emptied meanwhile (a change, or deaf): the entry is gone with it, so a read begun before a change is never kept after it.
      const drop = () => {
        if (entries.get(key) === entry) entries.delete(key);
      };
      value.then((found) => (found === undefined ? drop() : undefined), drop);
      return value;
    },
    forget: (key) => entries.delete(key),
    changed: () => {
      entries.clear();
      listening = true;
    },
    deaf: () => {
      entries.clear();
      listening = false;
    },
  };
}

/** A read cache emptied by the notices of READS_CHANNEL; reads through until its listener first connects. */
export function startReadCache(options: { connectionString: string; logger: Logger; ttlMs: number }): { cache: ReadCache; stop: () => Promise<void> } {
  const cache = makeReadCache({ ttlMs: options.ttlMs, now: () => performance.now() });
  const listener = listenForNotifications({
    connectionString: options.connectionString, channel: READS_CHANNEL, onNotify: cache.changed, onLost: cache.deaf, logger: options.logger,
  });
  return { cache, stop: async () => { await listener.close(); cache.deaf(); } };
}

const servingKey = (workflowId: string) => `serving\u0000${workflowId}`;

/** The store, with the version each workflow serves kept; a create that finds it stale forgets it (the next run reads it again). */
export function cachingServingVersion<S extends RunStore>(store: S, cache: ReadCache): S {
  return {
    ...store,
    servingVersion: (workflowId) => cache.read(servingKey(workflowId), () => store.servingVersion(workflowId)),
    create: async (run) => {
      const created = await store.create(run);
      if (created.type === 'not_serving') cache.forget(servingKey(run.workflowId));
      return created;
    },
  };
}

/** The project values with each project's variables kept (read-only: callers copy them); secrets read every time. */
export function cachingVariables(values: ProjectValues, cache: ReadCache): ProjectValues {
  return { ...values, variables: (projectId) => cache.read(`variables\u0000${projectId}`, () => values.variables(projectId)) };
}

/** What each HTTP path serves, kept (the user API's lookup by project name and path). */
export function cachingServedAt<Q extends Pick<RunQueries, 'servedAt'>>(queries: Q, cache: ReadCache): Q {
  return { ...queries, servedAt: (project, path) => cache.read(`served\u0000${project}\u0000${path}`, () => queries.servedAt(project, path)) };
}
