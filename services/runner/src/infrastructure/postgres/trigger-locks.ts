import { makeDatabase } from '@trellis/platform/postgres/db';
import type { Logger } from '@trellis/platform/logger';
import type { TriggerLocks } from '../../application/trigger-listeners.js';

/** What the locks use of a checked-out pg client. */
type Connection = {
  query: <Row>(text: string, values?: unknown[]) => Promise<{ rows: Row[] }>;
  release: (destroy?: boolean) => void;
};

/**
 * A session-level advisory lock per workflow, on one connection of its own kept checked out
 * (a pool would hand it back and the locks with it): the replica holding a workflow's lock is the
 * one that listens for its trigger. When that process dies, its connection closes and Postgres
 * frees the locks; another replica takes them at its next reconcile. A lost connection drops
 * every lock it held: `alive` says so, and the listeners stop until the locks are taken again.
 */
export function makeTriggerLocks(options: { connectionString: string; logger: Logger }): TriggerLocks & { close: () => Promise<void> } {
  const database = makeDatabase<unknown>({ connectionString: options.connectionString, poolSize: 1, applicationName: 'runner-trigger-locks', logger: options.logger });
  let connection: Connection | undefined;
  const held = new Set<string>();

  const connected = async (): Promise<Connection> => {
    connection ??= (await database.pool.connect()) as unknown as Connection;
    return connection;
  };
  const drop = () => {
    connection?.release(true);
    connection = undefined;
    held.clear();
  };
  const keyOf = (workflowId: string) => `trellis.trigger:${workflowId}`;

  return {
    take: async (workflowId) => {
      if (held.has(workflowId)) return true;
      const result = await (await connected()).query<{ taken: boolean }>('select pg_try_advisory_lock(hashtextextended($1, 0)) as taken', [keyOf(workflowId)]);
      if (result.rows[0]?.taken === true) held.add(workflowId);
      return held.has(workflowId);
    },
    release: async (workflowId) => {
      if (!held.delete(workflowId) || connection === undefined) return;
      try {
        await connection.query('select pg_advisory_unlock(hashtextextended($1, 0))', [keyOf(workflowId)]);
      } catch {
        drop(); // the connection is gone, and the lock with it
      }
    },
    alive: async () => {
      if (connection === undefined) return held.size === 0;
      try {
        await connection.query('select 1');
        return true;
      } catch (error) {
        options.logger.warn('trigger locks lost their connection; the triggers stop until they are taken again', { error: (error as Error).message });
        drop();
        return false;
      }
    },
    close: async () => {
      drop();
      await database.close();
    },
  };
}
