import type { JsonValue } from '@trellis/kernel/io';

/*
 * Where a Trigger action's cursor (`lastEvent`: the outputs of the newest event that became a
 * run) may be taken from across the versions of its workflow (docs/runner.md, "Trigger
 * actions"). A redeploy keeps the cursor when the trigger listens to the same thing: the same
 * action, with the same inputs as the document writes them. A trigger whose action or inputs
 * changed starts from nothing: its old cursor would be a position in something else (another
 * URL, bucket or prefix, or another action's idea of a cursor).
 *
 * The action's version does not count. A redeploy may pin a newer version without the author
 * changing anything (the standard library is updated with Trellis): firing again for everything
 * already seen would be the very fault this avoids. What the cursor holds is the action's own
 * outputs, and an event with an output the version listening no longer declares, or one that no
 * longer fits, is not handed over at all (the site's listen), so a version that changed its
 * outputs reads no half-cursor.
 *
 * Inputs count as written (`${{ vars.URL }}`, not the value it has now): the values are rendered
 * with the project's secrets, which are never kept, and a variable's change meanwhile is the
 * project's, not the workflow's.
 */

export type TriggerCursorScope = {
  /** The action's id in the project, without its version. */
  readonly actionId: string;
  /** The trigger's inputs as the document writes them (templates unrendered). */
  readonly inputs: Readonly<Record<string, JsonValue>>;
};

/** True when an event of a trigger with scope `earlier` is a cursor for one with scope `now`. */
export function sameCursorScope(now: TriggerCursorScope, earlier: TriggerCursorScope): boolean {
  return now.actionId === earlier.actionId && sameJson(now.inputs, earlier.inputs);
}

/** JSON equality: objects by their members whatever their order (as Postgres compares jsonb). */
export function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => sameJson(item, b[index]));
  }
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && sameJson(a[key], b[key]));
}
