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
 * | TRELLIS_STANDARD_LIBRARY_URL | off | the git repository of the standard library (trellis-adm gives `file://<state dir>/standard-library.git`): every project gets a source `standard` managed by Trellis, scanned and built on its own. `off` (or unset): none |
 */
import { tmpdir } from 'node:os';
import { z } from 'zod';
import { objectStoreEnvShape, tenantServiceEnvShape, secretKey } from '@trellis/platform/config';
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
  // Undefined: no standard library (the default; the operator's tools turn it on).
  TRELLIS_STANDARD_LIBRARY_URL: z.string().default('off')
    .transform((value) => (value === 'off' || value === '' ? undefined : value))
    .refine((value) => value === undefined || checkUrl(value, { allowFileUrls: true }).ok, {
      message: 'must be off, or a git URL (https://, http:// or file:///path) without credentials',
    }),
});

export type Env = z.output<typeof envSchema>;
