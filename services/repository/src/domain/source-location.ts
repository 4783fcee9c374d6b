import { ok, rejected, type Result } from '@trellis/kernel/result';

/*
 * Where a source's git repository is: an https:// or http:// URL (basic auth), or a file:// URL
 * of a repository on the service's machine. SSH and git:// are not offered: the service holds
 * no SSH keys and git:// has no authentication.
 */

export type Scheme = 'https' | 'http' | 'file';

export type Location = {
  readonly url: string;
  readonly scheme: Scheme;
  /** `https://host:port` (or `file://`): credentials belong to it, so moving a source elsewhere asks for them again. */
  readonly origin: string;
};

export type InvalidSourceUrl = { readonly type: 'InvalidSourceUrl'; readonly reason: string };
export type InvalidBranch = { readonly type: 'InvalidBranch'; readonly reason: string };

export const MAX_URL_LENGTH = 2048;

// eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
const spaceOrControl = /[\u0000-\u0020\u007f]/;
/** `git@github.com:owner/repo.git`: the SCP-like address of an SSH remote. */
const scpLike = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:/;

export function checkUrl(raw: string, options: { readonly allowFileUrls: boolean }): Result<Location, InvalidSourceUrl> {
  const refuse = (reason: string) => rejected({ type: 'InvalidSourceUrl' as const, reason });
  if (raw.length === 0) return refuse('is empty');
  if (raw.length > MAX_URL_LENGTH) return refuse(`is longer than ${MAX_URL_LENGTH} characters`);
  if (spaceOrControl.test(raw)) return refuse('holds spaces or control characters');
  if (scpLike.test(raw) || /^ssh:/i.test(raw) || /^git\+ssh:/i.test(raw)) {
    return refuse('is an SSH address; Trellis clones over https:// (or http://, or file:// for a repository on its own machine)');
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('is not a URL; expected https://host/path (or http://, or file:///path)');
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (scheme !== 'https' && scheme !== 'http' && scheme !== 'file') {
    return refuse(`uses the scheme "${scheme}"; use https:// (or http://, or file:// for a repository on this machine)`);
  }
  if (url.username !== '' || url.password !== '') {
    return refuse('holds credentials; give them as "username" and "password" instead, so that they are stored encrypted and never shown');
  }
  if (url.hash !== '') return refuse('has a #fragment, which git does not use');
  if (scheme === 'file') {
    if (!options.allowFileUrls) return refuse('is a file:// URL, which this instance does not allow (its administrator turned them off)');
    if (url.hostname !== '' && url.hostname !== 'localhost') return refuse('names a host; a file:// URL points at a folder of this machine: file:///path/to/repository');
    if (url.search !== '') return refuse('has a ?query, which a file:// URL cannot have');
    if (url.pathname === '/' || url.pathname === '') return refuse('names no folder');
    return ok({ url: `file://${url.pathname}`, scheme, origin: 'file://' });
  }
  if (url.hostname === '') return refuse('names no host');
  return ok({ url: url.href, scheme, origin: `${scheme}://${url.host}` });
}

export const MAX_BRANCH_LENGTH = 255;

/** The rules of `git check-ref-format --branch`, so that a branch git would refuse is refused here, with a reason. */
export function checkBranch(branch: string): InvalidBranch | undefined {
  const refuse = (reason: string) => ({ type: 'InvalidBranch' as const, reason });
  if (branch.length === 0 || branch.length > MAX_BRANCH_LENGTH) return refuse(`must be 1 to ${MAX_BRANCH_LENGTH} characters long`);
  if (spaceOrControl.test(branch) || /[~^:?*[\\]/.test(branch)) return refuse('may not hold spaces, control characters or any of ~ ^ : ? * [ \\');
  if (branch.startsWith('-')) return refuse('may not start with "-"');
  if (branch === '@' || branch.includes('@{')) return refuse('may not be "@" or hold "@{"');
  if (branch.includes('..')) return refuse('may not hold ".."');
  const parts = branch.split('/');
  if (parts.some((part) => part === '')) return refuse('may not start or end with "/" nor hold "//"');
  if (parts.some((part) => part.startsWith('.') || part.endsWith('.lock'))) return refuse('may not have a part that starts with "." or ends with ".lock"');
  if (branch.endsWith('.')) return refuse('may not end with "."');
  return undefined;
}
