import type { LoadResult, Runtime } from './definition.js';
import type { Position } from './yaml-source.js';

/** A file the manifest names, and where it names it (or what it was derived from). */
export type FileReference = { readonly path: string; readonly at: Position; readonly defaulted: boolean };

/**
 * What the folder checks need, as far as the manifest gave it: filled in even when other fields
 * have problems, so one scan reports manifest and folder problems together.
 */
export type FolderReferences = {
  /** Set for a Ryax manifest (see ActionDefinition.source): a Ryax Node.js handler may be the module itself. */
  readonly format?: 'ryax';
  readonly runtime?: Runtime;
  /** The function the handler must export: `handle` (Processor, Publisher) or `run` (Trigger). */
  readonly entry?: 'handle' | 'run';
  readonly handler?: FileReference;
  readonly logo?: FileReference;
};

/** The outcome of parsing a manifest's text alone (no file system). */
export type ParseResult = LoadResult & { readonly references: FolderReferences };
