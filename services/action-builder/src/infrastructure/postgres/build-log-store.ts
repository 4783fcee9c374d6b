import type { Kysely } from 'kysely';
import type { Logger } from '@trellis/platform/logger';
import type { ObjectStore } from '@trellis/platform/object-store';
import type { BuildLog, BuildLogs } from '../../application/ports.js';
import { tailOf, type Build } from '../../domain/build.js';
import { getText, logKey, putText } from '../object-store/builder-objects.js';
import type { Database } from './schema.js';

export type LogStoreOptions = {
  /** A log stops growing here (one line says so): a runaway build cannot fill the database or the store. */
  maxBytes: number;
  /** Lines held in the database beyond this many bytes move to the object store while the build runs. */
  spillBytes?: number;
  /** Lines are written in batches, at most this long after they were written. */
  flushMs?: number;
  logger: Logger;
};

const MAX_LINE_CHARS = 8192;
const TAIL_KEEP_BYTES = 16_384;

/**
 * Build logs: lines go to `build_log_lines` in batches while a build runs, and move to the
 * object store (`.../builds/<id>/log.txt`, the whole log so far) when the build ends, or
 * earlier when the rows grow large. `builds.log_stored_lines` says how many lines the object
 * holds; the object only ever grows, so a reader that saw that count finds at least those lines.
 * A later attempt continues the same log.
 */
export function makeBuildLogs(db: Kysely<Database>, store: ObjectStore, options: LogStoreOptions): BuildLogs {
  const spillBytes = options.spillBytes ?? 256 * 1024;
  const flushMs = options.flushMs ?? 200;
  return {
    open: async (build: Build): Promise<BuildLog> => {
      const key = logKey(build.projectId, build.id);
      const state = await db.selectFrom('builds')
        .select((eb) => ['log_stored_lines', eb.selectFrom('build_log_lines').whereRef('build_id', '=', 'builds.id').select((e) => e.fn.max('line_no').as('last')).as('last')])
        .where('id', '=', build.id).executeTakeFirst();
      let lastLine = Math.max(state?.log_stored_lines ?? 0, Number(state?.last ?? 0));
      let pending: { line_no: number; text: string }[] = [];
      let rowBytes = 0;
      let written = 0;
      let truncated = false;
      const tail: string[] = [];
      let tailBytes = 0;
      let timer: NodeJS.Timeout | undefined;
      let chain: Promise<void> = Promise.resolve();

      const writeRows = async (): Promise<void> => {
        if (pending.length === 0) return;
        const batch = pending;
        pending = [];
        try {
          await db.insertInto('build_log_lines').values(batch.map((row) => ({ build_id: build.id, ...row })))
            .onConflict((c) => c.columns(['build_id', 'line_no']).doNothing()).execute();
          rowBytes += batch.reduce((sum, row) => sum + row.text.length + 1, 0);
        } catch (error) {
          pending = [...batch, ...pending]; // kept for the next flush
          throw error;
        }
        if (rowBytes > spillBytes) await spill();
      };
      /** The whole log so far into the object, then the rows it now holds out of the database. */
      const spill = async (): Promise<void> => {
        const current = await db.selectFrom('builds').select('log_stored_lines').where('id', '=', build.id).executeTakeFirst();
        if (!current) return; // the build is gone with its project
        const rows = await db.selectFrom('build_log_lines').select(['line_no', 'text']).where('build_id', '=', build.id).orderBy('line_no').execute();
        const stored = current.log_stored_lines > 0 ? ((await getText(store, key)) ?? '') : '';
        const through = rows.at(-1)?.line_no ?? current.log_stored_lines;
        await putText(store, key, stored + rows.map((row) => `${row.text}\n`).join(''));
        await db.transaction().execute(async (trx) => {
          await trx.updateTable('builds').set({ log_stored_lines: through }).where('id', '=', build.id).execute();
          await trx.deleteFrom('build_log_lines').where('build_id', '=', build.id).where('line_no', '<=', through).execute();
        });
        rowBytes = 0;
      };
      const flush = (): Promise<void> => {
        clearTimeout(timer);
        timer = undefined;
        chain = chain.then(writeRows);
        return chain;
      };
      const flushLater = () => {
        timer ??= setTimeout(() => {
          flush().catch((error: unknown) => options.logger.warn('build log lines not written yet', { build_id: build.id, error: (error as Error).message }));
        }, flushMs);
      };
      const append = (text: string) => {
        lastLine += 1;
        pending.push({ line_no: lastLine, text });
        tail.push(text);
        tailBytes += text.length + 1;
        while (tailBytes > TAIL_KEEP_BYTES && tail.length > 1) tailBytes -= (tail.shift() ?? '').length + 1;
      };

      return {
        write: (line) => {
          if (truncated) return;
          // eslint-disable-next-line no-control-regex -- terminal escapes and stray control characters do not belong in a log
          const text = line.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').slice(0, MAX_LINE_CHARS);
          written += Buffer.byteLength(text) + 1;
          if (written > options.maxBytes) {
            truncated = true;
            append(`[builder] the log reached ${options.maxBytes} bytes; later lines are not kept`);
          } else append(text);
          if (pending.length >= 500) void flush().catch(() => undefined);
          else flushLater();
        },
        tail: (maxBytes) => tailOf(tail.map((line) => `${line}\n`).join(''), maxBytes),
        store: async () => {
          await flush();
          chain = chain.then(spill);
          await chain;
          return key;
        },
        close: async () => {
          await flush().catch((error: unknown) => options.logger.warn('build log lines lost', { build_id: build.id, error: (error as Error).message }));
        },
      };
    },
  };
}

export type LogPage = { lines: { no: number; text: string }[]; state: string };

/**
 * The lines after line `after` of a build's log, and the build's state when they were read. The
 * state and the rows are read in one snapshot; lines already moved to the store are read from it
 * afterwards (it holds at least them).
 */
export async function readLog(db: Kysely<Database>, store: ObjectStore, build: { id: string; projectId: string }, after: number): Promise<LogPage | undefined> {
  const snapshot = await db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
    const row = await trx.selectFrom('builds').select(['state', 'log_stored_lines']).where('id', '=', build.id).executeTakeFirst();
    if (!row) return undefined;
    const rows = await trx.selectFrom('build_log_lines').select(['line_no', 'text']).where('build_id', '=', build.id)
      .where('line_no', '>', Math.max(after, row.log_stored_lines)).orderBy('line_no').execute();
    return { ...row, rows };
  });
  if (!snapshot) return undefined;
  const lines: LogPage['lines'] = [];
  if (after < snapshot.log_stored_lines) {
    const text = (await getText(store, logKey(build.projectId, build.id))) ?? '';
    const stored = text.split('\n').slice(0, snapshot.log_stored_lines);
    for (let no = after + 1; no <= stored.length; no++) lines.push({ no, text: stored[no - 1] ?? '' });
  }
  for (const row of snapshot.rows) lines.push({ no: row.line_no, text: row.text });
  return { lines, state: snapshot.state };
}
