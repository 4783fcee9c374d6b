import type { JsonValue } from '@trellis/kernel/io';
import { actionReferences, splitActionReference, withValueAt } from '@trellis/workflow-language/document';
import { parseTemplate, templateReferences } from '@trellis/workflow-language/template';

/**
 * `action: add-one` means the newest built version when the document is saved: the stored draft
 * says `add-one@<version>`, so what was checked is what gets deployed. Unknown ids stay as they
 * are (validation names them).
 */
export function pinToNewest(raw: JsonValue, newestVersionOf: (actionId: string) => string | undefined): JsonValue {
  let pinned = raw;
  for (const { path, reference } of actionReferences(raw)) {
    const { id, version } = splitActionReference(reference);
    if (version !== undefined) continue;
    const newest = newestVersionOf(id);
    if (newest !== undefined) pinned = withValueAt(pinned, path, `${id}@${newest}`);
  }
  return pinned;
}

/** What a version uses from the project: deleting one of these is refused while it is deployed. */
export type Uses = {
  readonly actions: readonly { id: string; version: string }[];
  readonly variables: readonly string[];
  readonly secrets: readonly string[];
  /** Uploaded files given as static values (`{ file: <id> }`). */
  readonly files: readonly string[];
};

/** The ids of the uploaded files a value names: every object that is exactly `{ file: "<id>" }`. */
export function uploadedFileIds(value: JsonValue): string[] {
  if (Array.isArray(value)) return value.flatMap(uploadedFileIds);
  if (value === null || typeof value !== 'object') return [];
  const keys = Object.keys(value);
  const file = value['file'];
  if (keys.length === 1 && typeof file === 'string' && file !== '') return [file];
  return Object.values(value).flatMap(uploadedFileIds);
}

function* strings(value: JsonValue): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* strings(item);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) yield* strings(item);
}

/** The action versions, variables and secrets a (pinned) document names. */
export function usesOf(raw: JsonValue): Uses {
  const actions = new Map<string, { id: string; version: string }>();
  for (const { reference } of actionReferences(raw)) {
    const { id, version } = splitActionReference(reference);
    if (version !== undefined) actions.set(`${id}@${version}`, { id, version });
  }
  const variables = new Set<string>();
  const secrets = new Set<string>();
  for (const text of strings(raw)) {
    if (!text.includes('${{')) continue;
    const parsed = parseTemplate(text);
    if (!parsed.ok) continue;
    for (const reference of templateReferences(parsed.template)) {
      const [name] = reference.path;
      if (typeof name !== 'string') continue;
      if (reference.root === 'vars') variables.add(name);
      if (reference.root === 'secrets') secrets.add(name);
    }
  }
  return { actions: [...actions.values()], variables: [...variables].sort(), secrets: [...secrets].sort(), files: [...new Set(uploadedFileIds(raw))].sort() };
}
