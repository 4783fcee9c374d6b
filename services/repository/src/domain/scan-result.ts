import type { IoSpec } from '@trellis/kernel/io';

/*
 * What a scan finds in a commit: actions (described as the builder will build them) and
 * problems (with the file, line and column to fix), and how each action compares with the
 * previous scan of the same source, by the SHA-256 of its deterministic source tarball.
 */

export type { JsonValue } from '@trellis/kernel/io';

/** An input or output as the builder will describe it; whether a password has a default is always known here. */
export type IoDescription = IoSpec & { readonly hasSecretDefault: boolean };

export type ActionDescription = {
  readonly id: string;
  readonly version: string;
  readonly kind: string;
  readonly name: string;
  readonly description: string;
  readonly runtime: string;
  readonly handler: string;
  readonly categories: readonly string[];
  readonly inputs: readonly IoDescription[];
  readonly outputs: readonly IoDescription[];
  readonly resources: { readonly cpu?: number; readonly memoryBytes?: number; readonly timeoutMs?: number };
  /** `trellis` or `ryax`: how the runtime calls the handler. */
  readonly format: string;
  /** The manifest's file name: `trellis.yaml`, `ryax_metadata.yaml`. */
  readonly manifest: string;
};

/** A problem of the repository, with its path from the repository's root. */
export type ScanProblem = {
  readonly folder: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly code: string;
  readonly message: string;
};

/** A valid action folder as the finder returns it (`folder` from the root; "" is the root itself). */
export type FoundAction = { readonly folder: string; readonly action: ActionDescription };

/** A found action whose source tarball is stored. */
export type PackedAction = FoundAction & { readonly sha256: string; readonly size: number; readonly object: string };

export type Change = 'new' | 'changed' | 'unchanged';
export type ScannedAction = PackedAction & { readonly change: Change };
export type RemovedAction = { readonly id: string; readonly version: string; readonly folder: string };

/** What the previous scan had, for the comparison. */
export type PreviousAction = { readonly id: string; readonly version: string; readonly folder: string; readonly sha256: string };

/** The path of a file of an action folder, from the repository's root. */
export function pathInRepository(folder: string, file: string): string {
  return folder === '' ? file : `${folder}/${file}`;
}

/**
 * Action ids are unique in a source: the first folder (in path order) keeps its id, every
 * other folder declaring it becomes a problem at its manifest.
 */
export function withoutDuplicates(found: readonly FoundAction[]): { actions: FoundAction[]; problems: ScanProblem[] } {
  const byId = new Map<string, string>();
  const actions: FoundAction[] = [];
  const problems: ScanProblem[] = [];
  for (const item of [...found].sort((a, b) => compareText(a.folder, b.folder))) {
    const first = byId.get(item.action.id);
    if (first === undefined) {
      byId.set(item.action.id, item.folder);
      actions.push(item);
      continue;
    }
    problems.push({
      folder: item.folder, file: pathInRepository(item.folder, item.action.manifest), line: 1, column: 1, code: 'duplicate_action_id',
      message: `the action id "${item.action.id}" is already used by the action in ${first === '' ? 'the repository root' : `"${first}"`}; action ids are unique in a source`,
    });
  }
  return { actions, problems };
}

/**
 * Each action against the previous scan, by id: new, changed (other content) or unchanged (the
 * same tarball bytes); actions of the previous scan that are gone are removed. The first scan
 * of a source finds everything new.
 */
export function compare(previous: readonly PreviousAction[] | undefined, current: readonly PackedAction[]): { actions: ScannedAction[]; removed: RemovedAction[] } {
  const before = new Map((previous ?? []).map((action) => [action.id, action]));
  const actions = current.map((action): ScannedAction => {
    const earlier = before.get(action.action.id);
    return { ...action, change: earlier === undefined ? 'new' : earlier.sha256 === action.sha256 ? 'unchanged' : 'changed' };
  });
  const now = new Set(current.map((action) => action.action.id));
  const removed = (previous ?? [])
    .filter((action) => !now.has(action.id))
    .map(({ id, version, folder }) => ({ id, version, folder }))
    .sort((a, b) => compareText(a.id, b.id));
  return { actions, removed };
}

/** Problems in a stable order: by folder, file, line and column. */
export function sortProblems(problems: readonly ScanProblem[]): ScanProblem[] {
  return [...problems].sort((a, b) => compareText(a.folder, b.folder) || compareText(a.file, b.file) || a.line - b.line || a.column - b.column);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
