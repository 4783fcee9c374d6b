import { ok, rejected, type Result } from '@trellis/kernel/result';

/**
 * A scan is a durable job: `queued -> running -> done | failed | canceled`. The service's
 * workers claim queued scans (and running ones whose worker stopped answering); the claim, its
 * lease and the fencing of the result live in the adapter, the rules of a scan's life here.
 */
export const SCAN_STATUSES = ['queued', 'running', 'done', 'failed', 'canceled'] as const;
export type ScanStatus = (typeof SCAN_STATUSES)[number];

/** Why a scan failed, as a stable code; `failureMessage` says it in words a user understands. */
export type ScanFailure =
  | { readonly code: 'auth_required' }
  | { readonly code: 'auth_refused' }
  | { readonly code: 'branch_missing'; readonly branch: string }
  | { readonly code: 'repository_not_found' }
  | { readonly code: 'empty_repository' }
  | { readonly code: 'host_unreachable'; readonly host: string; readonly cause: 'name' | 'refused' | 'timeout' | 'network' }
  | { readonly code: 'tls_error'; readonly host: string }
  | { readonly code: 'too_large'; readonly limitBytes: number }
  | { readonly code: 'too_many_files'; readonly limit: number }
  | { readonly code: 'timed_out'; readonly limitMs: number }
  | { readonly code: 'clone_failed' }
  | { readonly code: 'credentials_unreadable' }
  | { readonly code: 'interrupted'; readonly attempts: number }
  | { readonly code: 'internal_error' };

export type ScanFailureCode = ScanFailure['code'];

export type Scan = {
  readonly id: string;
  readonly projectId: string;
  readonly sourceId: string;
  readonly status: ScanStatus;
  readonly requestedBy: string;
  readonly requestedAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  /** How many times a worker took it (a worker that stopped answering leaves it to another). */
  readonly attempt: number;
  /** The commit cloned (a full hex object name) and the branch it is the head of. */
  readonly commit: string | null;
  readonly branch: string | null;
  readonly failure: { readonly code: ScanFailureCode; readonly message: string } | null;
};

/**
 * A new scan, unless one is already waiting for this source: that one will clone the newest
 * commit anyway, so it is answered instead of queueing a second.
 */
export function request(
  input: { id: string; projectId: string; sourceId: string; requestedBy: string; now: Date },
  waiting: Scan | undefined,
): { readonly scan: Scan; readonly queued: boolean } {
  if (waiting?.status === 'queued') return { scan: waiting, queued: false };
  return {
    scan: {
      id: input.id, projectId: input.projectId, sourceId: input.sourceId, status: 'queued', requestedBy: input.requestedBy,
      requestedAt: input.now, startedAt: null, finishedAt: null, attempt: 0, commit: null, branch: null, failure: null,
    },
    queued: true,
  };
}

export type ScanNotCancelable = { readonly type: 'ScanNotCancelable'; readonly status: ScanStatus };

/** A queued or running scan can be canceled (a running one's worker stops its clone); a finished one cannot. */
export function cancel(scan: Scan, now: Date): Result<Scan, ScanNotCancelable> {
  if (scan.status === 'canceled') return ok(scan);
  if (scan.status !== 'queued' && scan.status !== 'running') return rejected({ type: 'ScanNotCancelable', status: scan.status });
  return ok({ ...scan, status: 'canceled', finishedAt: now });
}

/** The scan found what it found at `commit`. */
export function complete(scan: Scan, outcome: { commit: string; branch: string }, now: Date): Scan {
  return { ...scan, status: 'done', commit: outcome.commit, branch: outcome.branch, finishedAt: now, failure: null };
}

export function fail(scan: Scan, failure: ScanFailure, now: Date): Scan {
  return { ...scan, status: 'failed', finishedAt: now, failure: { code: failure.code, message: failureMessage(failure) } };
}

/** A scan taken more often than this was interrupted each time (a crash it causes, or restarts): it fails instead of running again. */
export const MAX_ATTEMPTS = 3;

export function exhausted(scan: Scan): boolean {
  return scan.attempt > MAX_ATTEMPTS;
}

const hostCauses = {
  name: 'its name does not resolve',
  refused: 'it refused the connection',
  timeout: 'the connection timed out',
  network: 'the network is unreachable',
} as const;

/** What a user reads about a failed scan: what happened and what to do, never git's own output. */
export function failureMessage(failure: ScanFailure): string {
  switch (failure.code) {
    case 'auth_required':
      return 'The server asks for credentials and this source has none: give the source a username and a password (or an access token).';
    case 'auth_refused':
      return 'The server refused the credentials of this source: check the username and the password or token, and that it may read this repository.';
    case 'branch_missing':
      return `The branch "${failure.branch}" does not exist in the repository.`;
    case 'repository_not_found':
      return 'There is no git repository at this URL (or the credentials of this source cannot see it).';
    case 'empty_repository':
      return 'The repository has no commit yet.';
    case 'host_unreachable':
      return `Cannot reach ${failure.host}: ${hostCauses[failure.cause]}.`;
    case 'tls_error':
      return `The TLS certificate of ${failure.host} could not be verified.`;
    case 'too_large':
      return `The repository is larger than ${formatBytes(failure.limitBytes)}, the limit of this instance.`;
    case 'too_many_files':
      return `The repository holds more than ${failure.limit} files, the limit of this instance.`;
    case 'timed_out':
      return `Cloning took longer than ${Math.round(failure.limitMs / 1000)} s, the limit of this instance.`;
    case 'clone_failed':
      return 'git could not clone the repository; check the URL and the branch.';
    case 'credentials_unreadable':
      return 'The stored credentials of this source cannot be opened (the service\'s secret key has changed): give them again.';
    case 'interrupted':
      return `The scan was interrupted ${failure.attempts} times (the service stopped while it ran); request a new scan.`;
    case 'internal_error':
      return 'The scan stopped on an error of the platform; request a new scan, and tell your administrator if it happens again.';
  }
}

function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1 ? `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB` : `${bytes} bytes`;
}
