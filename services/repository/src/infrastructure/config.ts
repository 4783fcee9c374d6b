/**
 * The repository's environment, on top of what every tenant service reads (docs/configuration.md):
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | TRELLIS_SECRET_KEY | required | the repository's own 32 random bytes, base64 (`openssl rand -base64 32`): seals the sources' passwords and tokens at rest (AES-256-GCM). It must stay the same: with another key the stored credentials cannot be opened (a scan then says so, and the credentials must be given again) |
 * | TRELLIS_SCAN_TIMEOUT_MS | 120000 | how long one clone may take |
 * | TRELLIS_SCAN_MAX_REPOSITORY_BYTES | 268435456 (256 MiB) | the largest repository a scan clones (the download, and the checked-out files) |
 * | TRELLIS_SCAN_MAX_FILES | 20000 | the most files a scanned commit may hold |
 * | TRELLIS_SCAN_CONCURRENCY | 1 | scans one process runs at a time |
 * | TRELLIS_SCAN_POLL_MS | 10000 | how often an idle worker looks for work it was not told about (a scan request wakes it at once) |
 * | TRELLIS_SCAN_LEASE_MS | 30000 | a running scan whose worker has not renewed its lease for this long is taken by another (or after a restart) |
 * | TRELLIS_SCAN_WORK_DIR | the system's temporary folder | where clones are made (and removed after each scan) |
 * | TRELLIS_GIT_ALLOW_FILE_URLS | true | accept file:// sources (repositories on the service's machine); turn off where developers must not read the server's disk |
 * | TRELLIS_STANDARD_LIBRARY_DIR | unset | a folder of action folders (each with a trellis.yaml is an action): the standard library. At start the service commits it into `<TRELLIS_SCAN_WORK_DIR>/trellis-standard-library.git` (one commit made from the content alone: the same folder gives the same commit) and uses that repository as TRELLIS_STANDARD_LIBRARY_URL. trellis-adm gives the release's `actions/`, compose and Kubernetes the image's `/app/actions`. Not with TRELLIS_STANDARD_LIBRARY_URL |
 * | TRELLIS_STANDARD_LIBRARY_URL | off | the git repository of the standard library: every project gets a source `standard` managed by Trellis, scanned and built on its own. `off` (or unset) and no TRELLIS_STANDARD_LIBRARY_DIR: none. Not with TRELLIS_STANDARD_LIBRARY_DIR |
 */
import { tmpdir } from 'node:os';
import { z } from 'zod';
import { ConfigError, objectStoreEnvShape, tenantServiceEnvShape, secretKey } from '@trellis/platform/config';
import { checkUrl } from '../domain/source-location.js';

const positive = z.coerce.number().int().min(1);

const flag = z.enum(['true', 'false', '1', '0', 'yes', 'no']).default('true').transform((value) => ['true', '1', 'yes'].includes(value));

export const envSchema = z.object({
  ...tenantServiceEnvShape(8103),
  ...objectStoreEnvShape,
  TRELLIS_SECRET_KEY: secretKey,
  TRELLIS_SCAN_TIMEOUT_MS: positive.default(120_000),
  TRELLIS_SCAN_MAX_REPOSITORY_BYTES: positive.default(256 * 1024 * 1024),
  TRELLIS_SCAN_MAX_FILES: positive.default(20_000),
  TRELLIS_SCAN_CONCURRENCY: positive.max(64).default(1),
  TRELLIS_SCAN_POLL_MS: positive.default(10_000),
  TRELLIS_SCAN_LEASE_MS: z.coerce.number().int().min(300).default(30_000),
  TRELLIS_SCAN_WORK_DIR: z.string().min(1).default(tmpdir()),
  TRELLIS_GIT_ALLOW_FILE_URLS: flag,
  // Undefined (both): no standard library (the default; the operator's tools turn it on).
  TRELLIS_STANDARD_LIBRARY_DIR: z.string().optional().transform((value) => (value === '' ? undefined : value)),
  TRELLIS_STANDARD_LIBRARY_URL: z.string().default('off')
    .transform((value) => (value === 'off' || value === '' ? undefined : value))
    .refine((value) => value === undefined || checkUrl(value, { allowFileUrls: true }).ok, {
      message: 'must be off, or a git URL (https://, http:// or file:///path) without credentials',
    }),
});

export type Env = z.output<typeof envSchema>;

/** Where the standard library comes from: a folder the service commits itself, a repository, or nowhere. */
export type LibraryOrigin = { readonly dir: string } | { readonly url: string } | undefined;

/**
 * The standard library's origin, or a ConfigError when both variables are set (which one the
 * operator meant cannot be guessed). Checked here, not in the schema, which must stay an object
 * (its shape lists the variables).
 */
export function libraryOrigin(env: Pick<Env, 'TRELLIS_STANDARD_LIBRARY_DIR' | 'TRELLIS_STANDARD_LIBRARY_URL'>): LibraryOrigin {
  const dir = env.TRELLIS_STANDARD_LIBRARY_DIR;
  const url = env.TRELLIS_STANDARD_LIBRARY_URL;
  if (dir !== undefined && url !== undefined) {
    throw new ConfigError(`TRELLIS_STANDARD_LIBRARY_DIR (${dir}) and TRELLIS_STANDARD_LIBRARY_URL (${url}) are both set: give the folder of actions (the service commits it) or the URL of a repository, not both`);
  }
  if (dir !== undefined) return { dir };
  return url === undefined ? undefined : { url };
}
