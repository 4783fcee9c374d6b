// @ts-check
// watch-s3: lists a bucket on a timer and starts one run per object it has not seen.
import { setTimeout as sleep } from 'node:timers/promises';
import { ActionError } from './errors.js';
import { s3ClientFor, s3Error } from './s3-client.js';

/**
 * @typedef {{ endpoint?: string, region?: string, bucket: string, access_key: string, secret_key: string,
 *   path_style?: boolean, prefix?: string, interval_seconds?: number, include_existing?: boolean }} Inputs
 * @typedef {{ emit: (outputs: Record<string, unknown>) => Promise<void>, signal: AbortSignal,
 *   log: (...parts: unknown[]) => void, lastEvent?: Record<string, unknown> | null }} TriggerContext
 * @typedef {{ key: string, size: number, etag: string, lastModified: number }} StoredObject
 * @typedef {{ lastModified: number, key: string }} Cursor the newest object already handled
 */

/** Failures that a later listing will not fix: the trigger stops and says why. */
const FATAL = new Set(['no_such_bucket', 'access_denied', 'address_not_allowed', 'bad_input']);

/**
 * Objects are taken in the order (last modified, key); the cursor is the last one whose run was
 * accepted, and it is in every run's outputs (`last_modified`, `key`), so a restart resumes from
 * `context.lastEvent`: what was added while stopped fires, nothing accepted fires again. A refused
 * run stops the round there; the next listing offers that object again. S3 times have a
 * resolution of a second, so objects stored within the cursor's second are also remembered by key.
 *
 * @param {TriggerContext} context
 * @param {Inputs} inputs
 */
export async function run(context, inputs) {
  const intervalSeconds = inputs.interval_seconds ?? 30;
  if (!Number.isInteger(intervalSeconds) || intervalSeconds < 1) throw new ActionError('interval_seconds must be a whole number of at least 1', 'bad_input');
  const { client, bucket } = await s3ClientFor(inputs);
  const prefix = inputs.prefix ?? '';
  const watch = makeWatch(cursorIn(context.lastEvent));
  let firstListing = true;
  while (!context.signal.aborted) {
    const objects = await listing(context, client, bucket, prefix);
    if (objects) {
      if (firstListing && !watch.hasCursor() && !inputs.include_existing) watch.startAfter(objects);
      firstListing = false;
      await fireNew(context, watch, objects);
    }
    await sleep(intervalSeconds * 1000, undefined, { signal: context.signal }).catch(() => {});
  }
}

/**
 * @param {TriggerContext} context
 * @param {ReturnType<typeof makeWatch>} watch
 * @param {StoredObject[]} objects
 */
async function fireNew(context, watch, objects) {
  for (const object of objects) {
    if (context.signal.aborted) return;
    if (!watch.isNew(object)) continue;
    try {
      await context.emit({ key: object.key, size: object.size, etag: object.etag, last_modified: new Date(object.lastModified).toISOString() });
    } catch (error) {
      const reason = /** @type {{ code?: string, message?: string }} */ (error);
      context.log(`run for ${object.key} refused (${reason?.code ?? 'error'}); it is offered again at the next listing: ${reason?.message ?? error}`);
      return;
    }
    watch.handled(object);
  }
}

/**
 * The cursor and the keys already handled within its second.
 *
 * @param {Cursor | null} start
 */
function makeWatch(start) {
  let cursor = start;
  /** Keys handled whose time is the cursor's: another object may still appear with that time. */
  let atCursorTime = new Set(cursor ? [cursor.key] : []);
  return {
    hasCursor: () => cursor !== null,
    /** Takes what is there as seen (the first start, without include_existing). @param {StoredObject[]} objects */
    startAfter(objects) {
      for (const object of objects) this.handled(object);
    },
    /** @param {StoredObject} object */
    isNew(object) {
      if (!cursor || object.lastModified > cursor.lastModified) return true;
      if (object.lastModified < cursor.lastModified) return false;
      // Same second as the cursor: new unless handled; after a restart only the memory of the
      // cursor's own key is left, so keys ordered before it count as handled.
      return !atCursorTime.has(object.key) && (atCursorTime.size > 1 || object.key > cursor.key);
    },
    /** @param {StoredObject} object */
    handled(object) {
      if (!cursor || object.lastModified > cursor.lastModified) {
        cursor = { lastModified: object.lastModified, key: object.key };
        atCursorTime = new Set([object.key]);
        return;
      }
      atCursorTime.add(object.key);
      if (object.key > cursor.key) cursor = { lastModified: cursor.lastModified, key: object.key };
    },
  };
}

/**
 * @param {Record<string, unknown> | null | undefined} lastEvent
 * @returns {Cursor | null}
 */
function cursorIn(lastEvent) {
  if (!lastEvent || typeof lastEvent.key !== 'string' || typeof lastEvent.last_modified !== 'string') return null;
  const lastModified = Date.parse(lastEvent.last_modified);
  return Number.isNaN(lastModified) ? null : { lastModified, key: lastEvent.key };
}

/**
 * Every object under the prefix, oldest first; null when the listing failed for a reason that may pass.
 *
 * @param {TriggerContext} context
 * @param {import('minio').Client} client
 * @param {string} bucket
 * @param {string} prefix
 * @returns {Promise<StoredObject[] | null>}
 */
async function listing(context, client, bucket, prefix) {
  /** @type {StoredObject[]} */
  const objects = [];
  try {
    const stream = client.listObjectsV2(bucket, prefix, true);
    for await (const item of stream) {
      if (!item.name || !item.lastModified) continue; // a common prefix, not an object
      objects.push({ key: item.name, size: item.size ?? 0, etag: String(item.etag ?? '').replace(/^"|"$/g, ''), lastModified: new Date(item.lastModified).getTime() });
    }
  } catch (error) {
    const failure = s3Error(error, `listing ${bucket}/${prefix}`);
    if (FATAL.has(failure.code)) throw failure;
    context.log(`${failure.message}; trying again at the next listing`);
    return null;
  }
  return objects.sort((a, b) => a.lastModified - b.lastModified || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
