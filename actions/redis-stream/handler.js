// @ts-check
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { ActionError } from './errors.js';
import { checkedAddress } from './network-guard.js';

/**
 * @typedef {{ url: string, password?: string, username?: string, stream: string, group?: string,
 *   consumer?: string, start?: 'new' | 'beginning', batch?: number, claim_idle_ms?: number }} Inputs
 * @typedef {{ emit: (outputs: Record<string, unknown>) => Promise<void>, signal: AbortSignal,
 *   log: (...parts: unknown[]) => void }} TriggerContext
 * @typedef {[id: string, fields: string[] | null]} Entry
 */

/** How long XREADGROUP waits for new entries; between two waits the trigger claims stale entries. */
const BLOCK_MS = 2000;
/** How long after a refused run its entry is read again (no hot loop while the runner refuses). */
const RETRY_DELAY_MS = 1000;

/**
 * Reads `stream` as `consumer` of `group` until the trigger is stopped. Each entry becomes one run
 * and is XACKed only after `context.emit` resolved (the runner stored the run). An entry whose run
 * was refused stays pending and is read again; on start the trigger first re-reads its own pending
 * entries (what it had read but not finished before a stop), and from time to time it claims
 * entries other consumers left pending longer than `claim_idle_ms` (a reader that died).
 * ioredis reconnects with backoff by itself; a command that still fails after that fails the
 * trigger, which the runner restarts.
 *
 * @param {TriggerContext} context
 * @param {Inputs} inputs
 */
export async function run(context, inputs) {
  const settings = settingsOf(inputs);
  // The network guard: connect to the address it checked; TLS still verifies the host's name.
  const address = await checkedAddress(settings.host);
  const redis = new Redis({
    host: address,
    port: settings.port,
    db: settings.db,
    ...(settings.tls ? { tls: { servername: settings.host } } : {}),
    lazyConnect: true,
    ...(inputs.username ? { username: inputs.username } : {}),
    ...(inputs.password ? { password: inputs.password } : {}),
    retryStrategy: (times) => Math.min(times * 500, 30_000),
  });
  // XREADGROUP BLOCK holds the connection: closing it is how a stop interrupts the wait.
  const stop = () => redis.disconnect();
  context.signal.addEventListener('abort', stop, { once: true });
  try {
    await redis.connect().catch((error) => {
      throw new ActionError(`cannot connect to ${redactedHost(settings.url)}: ${error.message}`, 'connection_failed');
    });
    await ensureGroup(redis, settings);
    await consume(context, redis, settings);
  } catch (error) {
    if (context.signal.aborted) return;
    throw error instanceof ActionError ? error : new ActionError(`redis failed: ${/** @type {Error} */ (error).message}`, 'connection_lost');
  } finally {
    context.signal.removeEventListener('abort', stop);
    redis.disconnect();
  }
}

/**
 * @typedef {ReturnType<typeof settingsOf>} Settings
 * @param {Inputs} inputs
 */
function settingsOf(inputs) {
  const url = requireText(inputs.url, 'url');
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new ActionError(`url "${url}" is not a URL; write redis://host:6379/0`, 'bad_url');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new ActionError(`url must start with redis:// or rediss://, not ${parsed.protocol}//`, 'bad_url');
  if (parsed.password) throw new ActionError('url must not hold a password: give it as password', 'credentials_in_url');
  const batch = inputs.batch ?? 16;
  if (!Number.isInteger(batch) || batch < 1) throw new ActionError('batch must be a whole number of at least 1', 'bad_input');
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new ActionError(`url path "${parsed.pathname}" is not a database number; write redis://host:6379/0`, 'bad_url');
  return {
    url,
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : 6379,
    db,
    tls: parsed.protocol === 'rediss:',
    stream: requireText(inputs.stream, 'stream'),
    group: inputs.group || 'trellis',
    // The host name is stable for the life of the process (and the pod): a trigger restarted in
    // it finds its pending entries under the same name.
    consumer: inputs.consumer || `trellis-${hostname()}`,
    startAt: inputs.start === 'beginning' ? '0' : '$',
    batch,
    claimIdleMs: Math.max(inputs.claim_idle_ms ?? 60_000, 1000),
  };
}

/**
 * Creates the group (and the stream) when missing; an existing group keeps its position.
 *
 * @param {Redis} redis
 * @param {Settings} settings
 */
async function ensureGroup(redis, settings) {
  try {
    await redis.xgroup('CREATE', settings.stream, settings.group, settings.startAt, 'MKSTREAM');
  } catch (error) {
    const message = /** @type {Error} */ (error).message;
    if (message.startsWith('BUSYGROUP')) return;
    if (message.startsWith('WRONGTYPE')) throw new ActionError(`key "${settings.stream}" holds something else than a stream`, 'not_a_stream');
    throw error;
  }
}

/**
 * @param {TriggerContext} context
 * @param {Redis} redis
 * @param {Settings} settings
 */
async function consume(context, redis, settings) {
  const deliver = makeDelivery(context, redis, settings);
  let readOwnPending = true;
  let lastClaim = 0;
  while (!context.signal.aborted) {
    let refused = 0;
    if (readOwnPending) {
      refused += await deliverOwnPending(redis, settings, deliver);
      readOwnPending = false;
    }
    if (Date.now() - lastClaim >= Math.min(settings.claimIdleMs, 30_000)) {
      lastClaim = Date.now();
      refused += await claimStale(redis, settings, deliver);
    }
    refused += await deliver(await readGroup(redis, settings, '>', BLOCK_MS));
    if (refused > 0) {
      // Refused entries stay in this consumer's pending list: read them again after a pause.
      readOwnPending = true;
      await sleep(RETRY_DELAY_MS, undefined, { signal: context.signal }).catch(() => {});
    }
  }
}

/**
 * This consumer's pending entries (read before, never acknowledged), oldest first.
 *
 * @param {Redis} redis
 * @param {Settings} settings
 * @param {(entries: Entry[]) => Promise<number>} deliver
 */
async function deliverOwnPending(redis, settings, deliver) {
  let refused = 0;
  for (let after = '0'; ;) {
    const entries = await readGroup(redis, settings, after, undefined);
    if (entries.length === 0) return refused;
    refused += await deliver(entries);
    after = /** @type {Entry} */ (entries.at(-1))[0];
  }
}

/**
 * Takes over entries other consumers of the group read but left unacknowledged for too long.
 *
 * @param {Redis} redis
 * @param {Settings} settings
 * @param {(entries: Entry[]) => Promise<number>} deliver
 */
async function claimStale(redis, settings, deliver) {
  let refused = 0;
  let cursor = '0-0';
  // Bounded: a huge backlog is taken over a few batches per round, new entries are not starved.
  for (let round = 0; round < 8; round++) {
    const answer = /** @type {[string, Entry[]]} */ (await redis.xautoclaim(settings.stream, settings.group, settings.consumer, settings.claimIdleMs, cursor, 'COUNT', settings.batch));
    refused += await deliver(answer[1]);
    cursor = answer[0];
    if (cursor === '0-0') break;
  }
  return refused;
}

/**
 * @param {Redis} redis
 * @param {Settings} settings
 * @param {string} after '>' for new entries, an id for this consumer's pending ones after it
 * @param {number | undefined} blockMs
 * @returns {Promise<Entry[]>}
 */
async function readGroup(redis, settings, after, blockMs) {
  const block = blockMs === undefined ? [] : ['BLOCK', blockMs];
  const answer = /** @type {[string, Entry[]][] | null} */ (
    await redis.call('XREADGROUP', 'GROUP', settings.group, settings.consumer, 'COUNT', settings.batch, ...block, 'STREAMS', settings.stream, after)
  );
  return answer?.[0]?.[1] ?? [];
}

/**
 * Emits one run per entry (at once, the batch is bounded) and XACKs each accepted one.
 * Resolves with how many were refused.
 *
 * @param {TriggerContext} context
 * @param {Redis} redis
 * @param {Settings} settings
 * @returns {(entries: Entry[]) => Promise<number>}
 */
function makeDelivery(context, redis, settings) {
  const acknowledge = (/** @type {string} */ id) => redis.xack(settings.stream, settings.group, id);
  return async (entries) => {
    const outcomes = await Promise.all(entries.map(async ([id, fields]) => {
      // An entry deleted (XDEL, MAXLEN) after it was read has no fields: nothing to run.
      if (fields === null) return acknowledge(id).then(() => true);
      try {
        await context.emit({ id, fields: objectOf(fields) });
      } catch (error) {
        const reason = /** @type {{ code?: string, message?: string }} */ (error);
        context.log(`run for entry ${id} refused (${reason?.code ?? 'error'}); it stays pending and is read again: ${reason?.message ?? error}`);
        return false;
      }
      await acknowledge(id);
      return true;
    }));
    return outcomes.filter((ok) => !ok).length;
  };
}

/** @param {string[]} pairs field, value, field, value... */
function objectOf(pairs) {
  /** @type {Record<string, string>} */
  const fields = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) fields[/** @type {string} */ (pairs[i])] = /** @type {string} */ (pairs[i + 1]);
  return fields;
}

/** @param {string} url */
function redactedHost(url) {
  try {
    return new URL(url).host;
  } catch {
    return 'redis';
  }
}

/**
 * @param {unknown} value
 * @param {string} name
 * @returns {string}
 */
function requireText(value, name) {
  if (typeof value !== 'string' || value.trim() === '') throw new ActionError(`${name} is required`, 'missing_input');
  return value;
}
