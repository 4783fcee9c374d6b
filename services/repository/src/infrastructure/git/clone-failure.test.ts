import { describe, expect, it } from 'vitest';
import { cloneFailureOf, receivedBytes } from './clone-failure.js';

const https = { url: 'https://git.example.com/team/actions.git', branch: 'dev', hasCredentials: true };
const anonymous = { ...https, hasCredentials: false };

describe('what git said, in words a user understands', () => {
  it.each([
    ["fatal: Authentication failed for 'https://git.example.com/team/actions.git/'", https, { code: 'auth_refused' }],
    ["fatal: could not read Username for 'https://git.example.com': terminal prompts disabled", anonymous, { code: 'auth_required' }],
    ["fatal: could not read Password for 'https://ada@git.example.com': terminal prompts disabled", https, { code: 'auth_refused' }],
    ["remote: HTTP Basic: Access denied\nfatal: Authentication failed for 'https://git.example.com/a.git/'", https, { code: 'auth_refused' }],
    ["fatal: unable to access 'https://git.example.com/a.git/': The requested URL returned error: 403", https, { code: 'auth_refused' }],
    ["warning: Could not find remote branch dev to clone.\nfatal: Remote branch dev not found in upstream origin", https, { code: 'branch_missing', branch: 'dev' }],
    ["fatal: unable to access 'https://git.example.com/a.git/': Could not resolve host: git.example.com", https, { code: 'host_unreachable', host: 'git.example.com', cause: 'name' }],
    ["fatal: unable to access 'https://git.example.com/a.git/': Failed to connect to git.example.com port 443 after 0 ms: Couldn't connect to server", https, { code: 'host_unreachable', host: 'git.example.com', cause: 'refused' }],
    ["fatal: unable to access 'https://git.example.com/a.git/': Failed to connect to git.example.com port 443: Connection timed out", https, { code: 'host_unreachable', host: 'git.example.com', cause: 'timeout' }],
    ["fatal: unable to access 'https://git.example.com/a.git/': SSL certificate problem: self-signed certificate", https, { code: 'tls_error', host: 'git.example.com' }],
    ["remote: Repository not found.\nfatal: repository 'https://git.example.com/a.git/' not found", https, { code: 'repository_not_found' }],
    ["fatal: '/srv/nothing' does not appear to be a git repository\nfatal: Could not read from remote repository.", { ...anonymous, url: 'file:///srv/nothing' }, { code: 'repository_not_found' }],
    ['fatal: the remote end hung up unexpectedly', https, { code: 'clone_failed' }],
  ])('%s', (stderr, context, failure) => {
    expect(cloneFailureOf(stderr, context)).toEqual(failure);
  });
});

describe('the bytes received so far, from git\'s progress', () => {
  it.each([
    ['Receiving objects:  45% (450/1000), 12.50 MiB | 3.00 MiB/s', 12.5 * 1024 * 1024],
    ['Receiving objects:  10% (1/10), 800 bytes | 1 KiB/s\rReceiving objects: 100% (10/10), 2.00 KiB | 1 KiB/s, done.', 2048],
    ['Counting objects: 100% (5/5), done.', undefined],
  ])('%j', (progress, bytes) => {
    expect(receivedBytes(progress)).toBe(bytes);
  });
});
