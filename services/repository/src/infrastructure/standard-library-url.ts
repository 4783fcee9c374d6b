import { existsSync, statSync } from 'node:fs';
import { ConfigError } from '@trellis/platform/config';
import type { Logger } from '@trellis/platform/logger';
import type { LibraryOrigin } from './config.js';
import { libraryRepositoryIn, materialiseStandardLibrary } from './git/library-repository.js';

/**
 * The URL of the standard library's repository: the operator's TRELLIS_STANDARD_LIBRARY_URL, or,
 * with TRELLIS_STANDARD_LIBRARY_DIR, the repository this process commits that folder into (in its
 * work folder; each replica writes its own copy, and since the commit is made from the content
 * alone they all agree on its id). Undefined: no library.
 */
export async function standardLibraryUrl(origin: LibraryOrigin, options: { workDir: string; version: string; logger: Logger }): Promise<string | undefined> {
  if (origin === undefined) return undefined;
  if ('url' in origin) return origin.url;
  if (!existsSync(origin.dir) || !statSync(origin.dir).isDirectory()) {
    throw new ConfigError(`TRELLIS_STANDARD_LIBRARY_DIR=${origin.dir} is not a folder (it must hold the standard library's action folders)`);
  }
  const { repository, url } = libraryRepositoryIn(options.workDir);
  const library = await materialiseStandardLibrary({ actionsDir: origin.dir, repository, version: options.version });
  options.logger.info('standard library committed', { dir: origin.dir, url, commit: library.commit, changed: library.changed, actions: library.actions.length });
  return url;
}
