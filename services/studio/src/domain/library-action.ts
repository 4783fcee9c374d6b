import type { IoSpec } from '@trellis/kernel/io';
import type { SiteName } from '@trellis/workflow-language/resources';

export type { IoSpec, JsonValue } from '@trellis/kernel/io';

/** The sites that run an action from an image (the local site runs the artifact itself). */
export type ImageSite = Exclude<SiteName, 'local'>;
export const IMAGE_SITES: readonly ImageSite[] = ['docker', 'kubernetes'];

/** site -> image reference, as the builder made them; none for a build without images. */
export type Images = Readonly<Partial<Record<ImageSite, string>>>;

export type Logo = { readonly bytes: Uint8Array; readonly mediaType: string };

/**
 * An action version in a project's library: what a build made of one action folder. Studio
 * learns of it from the builder's ActionBuilt; workflows pin it by id, version and digest.
 */
export type LibraryAction = {
  readonly projectId: string;
  readonly actionId: string;
  readonly version: string;
  readonly kind: 'Trigger' | 'Processor' | 'Publisher';
  readonly name: string;
  readonly description: string;
  readonly runtime: string;
  /** trellis or ryax: how the wrapper calls the handler. */
  readonly format: string;
  readonly categories: readonly string[];
  readonly inputs: readonly IoSpec[];
  readonly outputs: readonly IoSpec[];
  readonly resources: { readonly cpu?: number; readonly memoryBytes?: number; readonly timeoutMs?: number };
  /** SHA-256 of the artifact: its content address. */
  readonly digest: string;
  readonly artifactObject: string;
  readonly artifactSize: number;
  /** The images the builder made of the artifact, per site. */
  readonly images: Images;
  readonly logo: Logo | null;
  readonly origin: { readonly sourceId: string; readonly commit: string; readonly folder: string; readonly buildId: string };
  readonly builtAt: Date;
};

/** What to do with a version the builder announces, given the one the library holds. */
export type Arrival = 'insert' | 'replace' | 'unchanged' | 'stale';

/**
 * A version is rebuilt when its source changed without a version bump: the newest build wins.
 * A redelivered or late announcement of an older build changes nothing.
 */
export function arrival(held: LibraryAction | undefined, built: LibraryAction): Arrival {
  if (!held) return 'insert';
  if (held.digest === built.digest && held.origin.buildId === built.origin.buildId) return 'unchanged';
  return built.builtAt.getTime() > held.builtAt.getTime() ? 'replace' : 'stale';
}

/** Does `action` match a library search: its id, name, description or a category contain `text` (any case)? */
export function matches(action: Pick<LibraryAction, 'actionId' | 'name' | 'description' | 'categories'>, text: string): boolean {
  const needle = text.trim().toLowerCase();
  if (!needle) return true;
  return [action.actionId, action.name, action.description, ...action.categories].some((field) => field.toLowerCase().includes(needle));
}
