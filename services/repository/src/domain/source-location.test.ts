import { describe, expect, it } from 'vitest';
import { checkBranch, checkUrl } from './source-location.js';

describe('a source URL', () => {
  const allow = { allowFileUrls: true };
  it.each([
    ['https://git.example.com/team/actions.git', 'https://git.example.com/team/actions.git', 'https://git.example.com'],
    ['http://127.0.0.1:8080/repo.git', 'http://127.0.0.1:8080/repo.git', 'http://127.0.0.1:8080'],
    ['HTTPS://Git.Example.com/x', 'https://git.example.com/x', 'https://git.example.com'],
    ['file:///srv/git/actions', 'file:///srv/git/actions', 'file://'],
    ['file://localhost/srv/git/actions', 'file:///srv/git/actions', 'file://'],
  ])('accepts %s', (raw, url, origin) => {
    expect(checkUrl(raw, allow)).toEqual({ ok: true, value: { url, scheme: url.split(':')[0], origin } });
  });

  it.each([
    ['', /empty/],
    ['git@github.com:team/actions.git', /SSH address/],
    ['ssh://git@github.com/team/actions.git', /SSH address/],
    ['git://example.com/actions.git', /scheme "git"/],
    ['ftp://example.com/actions.git', /scheme "ftp"/],
    ['ext::sh -c touch% /tmp/pwned', /spaces/],
    ['https://ada:hunter2@example.com/actions.git', /holds credentials/],
    ['https://ada@example.com/actions.git', /holds credentials/],
    ['https://example.com/actions.git#main', /fragment/],
    ['file://otherhost/srv/git', /names a host/],
    ['file:///', /names no folder/],
    ['/srv/git/actions', /not a URL/],
    [`https://example.com/${'a'.repeat(2100)}`, /longer than 2048/],
  ])('refuses %s', (raw, reason) => {
    const result = checkUrl(raw, allow);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.reason).toMatch(reason);
  });

  it('refuses file:// URLs when the instance does not allow them', () => {
    const result = checkUrl('file:///srv/git/actions', { allowFileUrls: false });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.reason).toMatch(/does not allow/);
  });
});

describe('a branch', () => {
  it.each(['main', 'release/1.2', 'feature/new-thing', 'v1.0'])('accepts %s', (branch) => {
    expect(checkBranch(branch)).toBeUndefined();
  });
  it.each(['', '-x', 'a..b', 'a b', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[', 'a\\b', '/a', 'a/', 'a//b', '.a', 'a/.b', 'a.lock', 'a.', '@', 'a@{1}', 'x'.repeat(256)])(
    'refuses %j', (branch) => {
      expect(checkBranch(branch)?.type).toBe('InvalidBranch');
    });
});
