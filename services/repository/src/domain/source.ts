import { ok, rejected, type Result } from '@trellis/kernel/result';
import { checkBranch, checkUrl, type InvalidBranch, type InvalidSourceUrl } from './source-location.js';

/**
 * A git repository a project takes actions from. Its credentials (a username and a password or
 * token) are not part of it: the use case seals the password and the repository keeps it
 * apart; a source only says whether it has some.
 */
export type Source = {
  readonly id: string;
  readonly projectId: string;
  /** Unique in the project. */
  readonly name: string;
  readonly url: string;
  /** Null: the remote's default branch. */
  readonly branch: string | null;
  /** Set when the source has credentials (the username is not secret; the password is). */
  readonly username: string | null;
  readonly hasCredentials: boolean;
  /** Trellis keeps it (the standard library): users may read, scan and build it, never change or delete it. */
  readonly managed: boolean;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
};

/** What happens to the sealed password when a source is created or changed. */
export type CredentialsChange =
  | { readonly kind: 'keep' }
  | { readonly kind: 'clear' }
  | { readonly kind: 'set'; readonly username: string; readonly password: string };

export type InvalidSourceName = { readonly type: 'InvalidSourceName'; readonly reason: string };
export type CredentialsIncomplete = { readonly type: 'CredentialsIncomplete' };
export type CredentialsNotApplicable = { readonly type: 'CredentialsNotApplicable' };
export type CredentialsNeedReentry = { readonly type: 'CredentialsNeedReentry' };
export type ManagedSource = { readonly type: 'ManagedSource' };

export type SourceRejection =
  | InvalidSourceName | InvalidSourceUrl | InvalidBranch | CredentialsIncomplete | CredentialsNotApplicable | CredentialsNeedReentry | ManagedSource;

/** When only a password (or token) is given: most hosts accept any username with a token. */
export const DEFAULT_USERNAME = 'git';

const namePattern = /^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/;

export function checkName(name: string): InvalidSourceName | undefined {
  if (name.length < 2 || name.length > 63) return { type: 'InvalidSourceName', reason: 'must be 2 to 63 characters long' };
  if (!namePattern.test(name)) {
    return { type: 'InvalidSourceName', reason: 'may hold only lowercase letters, digits and inner ".", "_" or "-" (it names the source in URLs and commands)' };
  }
  return undefined;
}

export type Settings = { readonly allowFileUrls: boolean };

type Written = { readonly source: Source; readonly credentials: CredentialsChange };

export function create(
  input: {
    id: string; projectId: string; name: string; url: string; branch?: string | null | undefined;
    username?: string | undefined; password?: string | undefined; createdBy: string; now: Date;
  },
  settings: Settings,
): Result<Written, SourceRejection> {
  const name = checkName(input.name);
  if (name) return rejected(name);
  const location = checkUrl(input.url, settings);
  if (!location.ok) return location;
  const branch = input.branch ?? null;
  const badBranch = branch === null ? undefined : checkBranch(branch);
  if (badBranch) return rejected(badBranch);
  const credentials = credentialsOf(input.username, input.password);
  if (!credentials.ok) return credentials;
  const set = credentials.value.kind === 'set' ? credentials.value : undefined;
  if (set && location.value.scheme === 'file') return rejected({ type: 'CredentialsNotApplicable' });
  return ok({
    source: {
      id: input.id, projectId: input.projectId, name: input.name, url: location.value.url, branch,
      username: set?.username ?? null, hasCredentials: set !== undefined, managed: false,
      createdBy: input.createdBy, createdAt: input.now, updatedAt: input.now,
    },
    credentials: credentials.value,
  });
}

export type SourcePatch = {
  readonly name?: string | undefined;
  readonly url?: string | undefined;
  /** Null: back to the remote's default branch. */
  readonly branch?: string | null | undefined;
  /** A string sets credentials (a password is then required); null on either removes them. */
  readonly username?: string | null | undefined;
  readonly password?: string | null | undefined;
};

/**
 * Changes a source. Credentials belong to the host they were given for: moving a source with
 * credentials to another host (or scheme or port) needs them given again, or removed, so that
 * nobody can send someone else's token to a server of their own.
 */
export function change(source: Source, patch: SourcePatch, now: Date, settings: Settings): Result<Written, SourceRejection> {
  const locked = checkUserMayChange(source);
  if (locked) return rejected(locked);
  const name = patch.name ?? source.name;
  const badName = patch.name === undefined ? undefined : checkName(name);
  if (badName) return rejected(badName);
  const location = checkUrl(patch.url ?? source.url, settings);
  if (!location.ok) return location;
  const branch = patch.branch === undefined ? source.branch : patch.branch;
  const badBranch = branch === null || patch.branch === undefined ? undefined : checkBranch(branch);
  if (badBranch) return rejected(badBranch);

  let credentials: CredentialsChange;
  if (patch.username === null || patch.password === null) {
    if (typeof patch.username === 'string' || typeof patch.password === 'string') return rejected({ type: 'CredentialsIncomplete' });
    credentials = { kind: 'clear' };
  } else {
    const given = credentialsOf(patch.username ?? (patch.password === undefined ? undefined : source.username ?? undefined), patch.password);
    if (!given.ok) return given;
    credentials = given.value;
  }
  const hasCredentials = credentials.kind === 'set' || (credentials.kind === 'keep' && source.hasCredentials);
  if (credentials.kind === 'keep' && source.hasCredentials && location.value.origin !== originOf(source.url)) {
    return rejected({ type: 'CredentialsNeedReentry' });
  }
  if (hasCredentials && location.value.scheme === 'file') return rejected({ type: 'CredentialsNotApplicable' });
  const username = credentials.kind === 'set' ? credentials.username : credentials.kind === 'clear' ? null : source.username;
  return ok({
    source: { ...source, name, url: location.value.url, branch, username, hasCredentials, updatedAt: now },
    credentials,
  });
}

/** A managed source is Trellis's to change (with Trellis itself): a user may neither change nor delete it. */
export function checkUserMayChange(source: Source): ManagedSource | undefined {
  return source.managed ? { type: 'ManagedSource' } : undefined;
}

/** A username alone is not enough; a password (or token) alone takes the default username. */
function credentialsOf(username: string | undefined, password: string | undefined): Result<CredentialsChange, CredentialsIncomplete> {
  if (password === undefined) return username === undefined ? ok({ kind: 'keep' }) : rejected({ type: 'CredentialsIncomplete' });
  return ok({ kind: 'set', username: username ?? DEFAULT_USERNAME, password });
}

function originOf(url: string): string {
  const location = checkUrl(url, { allowFileUrls: true });
  return location.ok ? location.value.origin : url;
}
