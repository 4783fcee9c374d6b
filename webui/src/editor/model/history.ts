/*
 * Undo and redo over whole drafts (they are small, and immutable: each change makes a new one).
 * Changes that come in a quick series from the same place (typing in one field, editing the
 * YAML) merge into one entry, so one undo takes back the series, not one letter.
 */

export type History<T> = { past: T[]; present: T; future: T[]; lastKey?: string; lastAt?: number };

const LIMIT = 200;
const MERGE_MS = 1000;

export const startHistory = <T>(present: T): History<T> => ({ past: [], present, future: [] });

/** A new present; `key` names where the change comes from, for merging a quick series. */
export function record<T>(history: History<T>, next: T, key?: string, now = Date.now()): History<T> {
  if (next === history.present) return history;
  const merge = key !== undefined && key === history.lastKey && history.lastAt !== undefined && now - history.lastAt < MERGE_MS;
  const past = merge ? history.past : [...history.past, history.present].slice(-LIMIT);
  return { past, present: next, future: [], ...(key !== undefined ? { lastKey: key, lastAt: now } : {}) };
}

/** The present changed by something that is not an edit (the saved draft with its pins): no entry. */
export const replacePresent = <T>(history: History<T>, present: T): History<T> => ({ ...history, present, lastKey: undefined, lastAt: undefined });

export function undo<T>(history: History<T>): History<T> {
  const previous = history.past.at(-1);
  if (previous === undefined) return history;
  return { past: history.past.slice(0, -1), present: previous, future: [history.present, ...history.future] };
}

export function redo<T>(history: History<T>): History<T> {
  const [next, ...rest] = history.future;
  if (next === undefined) return history;
  return { past: [...history.past, history.present], present: next, future: rest };
}

export const canUndo = <T>(history: History<T>) => history.past.length > 0;
export const canRedo = <T>(history: History<T>) => history.future.length > 0;
