import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Logger } from '@trellis/platform/logger';
import type { Database } from './postgres/schema.js';

export type RunnerProcess = {
  readonly id: string;
  /** Stops heartbeating and records the stop: the process's unfinished runs may be taken over at once. */
  stop: () => Promise<void>;
};

/**
 * This boot of the runner: a runner_processes row of its own (a fresh id) and its heartbeat,
 * one UPDATE every `heartbeatMs` with the database's clock (so processes on other machines
 * compare like with like). Its heartbeat is the lease of every run it owns.
 */
export async function startRunnerProcess(db: Kysely<Database>, options: { id: string; heartbeatMs: number; logger: Logger }): Promise<RunnerProcess> {
  const { id, logger } = options;
  await sql`insert into runner_processes (id, host, pid, started_at, heartbeat_at) values (${id}::uuid, ${hostname()}, ${process.pid}, now(), now())`.execute(db);
  let beating: Promise<unknown> = Promise.resolve();
  let failing = false;
  const timer = setInterval(() => {
    beating = sql`update runner_processes set heartbeat_at = now() where id = ${id}::uuid`.execute(db).then(
      () => {
        if (failing) logger.info('runner heartbeat written again', { process_id: id });
        failing = false;
      },
      (error: unknown) => {
        if (!failing) logger.warn('runner heartbeat cannot be written; runs may be taken over once the lease expires', { process_id: id, error: (error as Error).message });
        failing = true;
      },
    );
  }, options.heartbeatMs);
  timer.unref();
  return {
    id,
    stop: async () => {
      clearInterval(timer);
      await beating;
      await sql`update runner_processes set stopped_at = now() where id = ${id}::uuid`.execute(db);
    },
  };
}
