import type { ScanFailure } from '../../domain/scan.js';

/**
 * git's complaint about a clone (its stderr, in the C locale) as a failure a user understands.
 * git's own words are never shown: they may hold a URL, a path of this machine, or worse.
 */
export function cloneFailureOf(stderr: string, context: { url: string; branch: string | null; hasCredentials: boolean }): ScanFailure {
  const host = hostOf(context.url);
  const text = stderr.replace(/\r/g, '\n');
  if (/could not read (Username|Password)|terminal prompts disabled/i.test(text)) {
    return context.hasCredentials ? { code: 'auth_refused' } : { code: 'auth_required' };
  }
  if (/Authentication failed|Access denied|returned error: 40[13]\b|HTTP 40[13]\b/i.test(text)) {
    return context.hasCredentials ? { code: 'auth_refused' } : { code: 'auth_required' };
  }
  if (/Remote branch .* not found|couldn't find remote ref/i.test(text)) return { code: 'branch_missing', branch: context.branch ?? '' };
  if (/Could not resolve (host|proxy)|Name or service not known|Temporary failure in name resolution/i.test(text)) {
    return { code: 'host_unreachable', host, cause: 'name' };
  }
  if (/Connection refused|Couldn't connect to server/i.test(text)) return { code: 'host_unreachable', host, cause: 'refused' };
  if (/Network is unreachable|No route to host/i.test(text)) return { code: 'host_unreachable', host, cause: 'network' };
  if (/timed out/i.test(text)) return { code: 'host_unreachable', host, cause: 'timeout' };
  if (/SSL|certificate|TLS/i.test(text)) return { code: 'tls_error', host };
  if (/returned error: 404|HTTP 404|Repository not found|not found|does not appear to be a git repository|not a git repository|does not exist/i.test(text)) {
    return { code: 'repository_not_found' };
  }
  return { code: 'clone_failed' };
}

function hostOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.host || 'the server';
  } catch {
    return 'the server';
  }
}

/** `Receiving objects:  45% (450/1000), 12.50 MiB | 3.00 MiB/s`: the bytes received so far, or undefined. */
export function receivedBytes(progress: string): number | undefined {
  const matches = [...progress.matchAll(/Receiving objects:[^\n\r]*?,\s*([\d.]+)\s*(bytes|KiB|MiB|GiB)/g)];
  const last = matches.at(-1);
  if (!last) return undefined;
  const unit = { bytes: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 }[last[2] as 'bytes' | 'KiB' | 'MiB' | 'GiB'];
  return Number(last[1]) * unit;
}
