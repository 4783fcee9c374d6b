import { fail, ok, warn, type Check } from './check.js';
import { bytesText, countText } from './units.js';

export type BucketUsage = { readonly bucket: string; readonly objects: number; readonly bytes: number };
export type DiskSpace = { readonly path: string; readonly freeBytes: number; readonly totalBytes: number };

/** Below this share of free space the disk warns, below the second it fails (writes will soon). */
export const DISK_WARN_FREE = 0.1;
export const DISK_FAIL_FREE = 0.02;

export function judgeBucket(usage: BucketUsage): Check {
  return ok('object-store', usage.bucket, `${countText(usage.objects, 'object')}, ${bytesText(usage.bytes)}`);
}

export function judgeDisk(disk: DiskSpace): Check {
  const share = disk.totalBytes > 0 ? disk.freeBytes / disk.totalBytes : 0;
  const detail = `${bytesText(disk.freeBytes)} free of ${bytesText(disk.totalBytes)} (${Math.floor(share * 100)} %)`;
  const hint = 'the object store, logs and builds live there: free space, or lower TRELLIS_RUNNER_RETENTION_DAYS';
  if (share < DISK_FAIL_FREE) return fail('disk', disk.path, detail, hint);
  if (share < DISK_WARN_FREE) return warn('disk', disk.path, detail, hint);
  return ok('disk', disk.path, detail);
}
