import { describe, expect, it } from 'vitest';
import * as Source from './source.js';

const now = new Date('2025-01-01T00:00:00Z');
const later = new Date('2025-01-02T00:00:00Z');
const settings = { allowFileUrls: true };
const base = { id: 's1', projectId: 'p1', name: 'actions', url: 'https://git.example.com/actions.git', createdBy: 'u1', now };

function created(extra: Partial<Parameters<typeof Source.create>[0]> = {}) {
  const result = Source.create({ ...base, ...extra }, settings);
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}

describe('creating a source', () => {
  it('keeps the name, URL and branch; no credentials by default', () => {
    const { source, credentials } = created({ branch: 'main' });
    expect(source).toMatchObject({ name: 'actions', url: 'https://git.example.com/actions.git', branch: 'main', hasCredentials: false, username: null });
    expect(credentials).toEqual({ kind: 'keep' });
  });

  it('takes a password (or token) with a username, or with the default username', () => {
    expect(created({ username: 'ada', password: 'tok' }).credentials).toEqual({ kind: 'set', username: 'ada', password: 'tok' });
    const tokenOnly = created({ password: 'tok' });
    expect(tokenOnly.credentials).toEqual({ kind: 'set', username: Source.DEFAULT_USERNAME, password: 'tok' });
    expect(tokenOnly.source).toMatchObject({ hasCredentials: true, username: Source.DEFAULT_USERNAME });
  });

  it.each([
    ['a bad name', { name: 'Has Spaces' }, 'InvalidSourceName'],
    ['a one-letter name', { name: 'a' }, 'InvalidSourceName'],
    ['a name with an outer hyphen', { name: 'actions-' }, 'InvalidSourceName'],
    ['an SSH URL', { url: 'git@github.com:a/b.git' }, 'InvalidSourceUrl'],
    ['a bad branch', { branch: 'a..b' }, 'InvalidBranch'],
    ['a username without a password', { username: 'ada' }, 'CredentialsIncomplete'],
    ['credentials on a file:// URL', { url: 'file:///srv/git/a', password: 'tok' }, 'CredentialsNotApplicable'],
  ])('refuses %s', (_, extra, type) => {
    const result = Source.create({ ...base, ...extra }, settings);
    expect(result.ok ? undefined : result.error.type).toBe(type);
  });
});

describe('changing a source', () => {
  const plain = created().source;
  const withCredentials = created({ username: 'ada', password: 'tok' }).source;
  const change = (source: Source.Source, patch: Source.SourcePatch) => Source.change(source, patch, later, settings);

  it('renames, moves and changes the branch, keeping what is not given', () => {
    const result = change(plain, { name: 'other', branch: 'dev' });
    expect(result).toMatchObject({ ok: true, value: { source: { name: 'other', branch: 'dev', url: plain.url, updatedAt: later }, credentials: { kind: 'keep' } } });
    expect(change({ ...plain, branch: 'dev' }, { branch: null })).toMatchObject({ ok: true, value: { source: { branch: null } } });
  });

  it.each([
    ['a new password keeps the username', { password: 'new' }, { kind: 'set', username: 'ada', password: 'new' }, true],
    ['both set them', { username: 'bob', password: 'new' }, { kind: 'set', username: 'bob', password: 'new' }, true],
    ['a null password removes them', { password: null }, { kind: 'clear' }, false],
    ['a null username removes them', { username: null }, { kind: 'clear' }, false],
    ['nothing keeps them', { name: 'renamed' }, { kind: 'keep' }, true],
    ['the same host keeps them', { url: 'https://git.example.com/other.git' }, { kind: 'keep' }, true],
  ])('credentials: %s', (_, patch, credentials, has) => {
    const result = change(withCredentials, patch as Source.SourcePatch);
    expect(result).toMatchObject({ ok: true, value: { credentials, source: { hasCredentials: has } } });
  });

  it.each([
    ['another host without credentials again', withCredentials, { url: 'https://evil.example.net/actions.git' }, 'CredentialsNeedReentry'],
    ['another port without credentials again', withCredentials, { url: 'https://git.example.com:8443/actions.git' }, 'CredentialsNeedReentry'],
    ['http instead of https without credentials again', withCredentials, { url: 'http://git.example.com/actions.git' }, 'CredentialsNeedReentry'],
    ['a username alone', withCredentials, { username: 'bob' }, 'CredentialsIncomplete'],
    ['a null password with a new username', withCredentials, { username: 'bob', password: null }, 'CredentialsIncomplete'],
    ['a file:// URL with new credentials', plain, { url: 'file:///srv/a', password: 'x' }, 'CredentialsNotApplicable'],
    ['a bad new name', plain, { name: '-x-' }, 'InvalidSourceName'],
    ['a bad new branch', plain, { branch: 'a b' }, 'InvalidBranch'],
  ])('refuses %s', (_, source, patch, type) => {
    const result = change(source, patch as Source.SourcePatch);
    expect(result.ok ? undefined : result.error.type).toBe(type);
  });

  it('moves to another host when the credentials are given again, or removed', () => {
    expect(change(withCredentials, { url: 'https://other.example.net/a.git', password: 'tok2' })).toMatchObject({ ok: true, value: { credentials: { kind: 'set', username: 'ada' } } });
    expect(change(withCredentials, { url: 'file:///srv/a', password: null })).toMatchObject({ ok: true, value: { source: { url: 'file:///srv/a', hasCredentials: false, username: null } } });
  });
});
