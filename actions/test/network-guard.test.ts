// The standard library's network guard (actions/shared/network-guard.js, copied into each action
// that connects to a host a user gives), address by address and through a real lookup.
import { afterEach, describe, expect, it } from 'vitest';
import { checkedAddress, checkLiteralHost, refusalOf } from '../shared/network-guard.js';

afterEach(() => {
  delete process.env['TRELLIS_ALLOW_PRIVATE_NETWORK'];
});

describe('the network guard', () => {
  it.each([
    ['127.0.0.1', 'loopback'], ['::1', 'loopback'], ['::ffff:127.0.0.1', 'loopback'], ['::ffff:7f00:1', 'loopback'], ['::127.0.0.1', 'IPv4-compatible'],
    ['169.254.169.254', 'metadata'], ['10.1.2.3', 'RFC 1918'], ['172.16.0.9', 'RFC 1918'], ['192.168.1.1', 'RFC 1918'], ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'], ['::', 'unspecified'], ['255.255.255.255', 'broadcast'], ['224.0.0.1', 'multicast'], ['ff02::1', 'multicast'],
    ['fe80::1', 'link-local'], ['fc00::1', 'fc00::/7'], ['fd12:3456::1', 'fc00::/7'],
    ['64:ff9b::7f00:1', 'NAT64'], ['2002:7f00:1::', '6to4'], ['2001:0:4136:e378::1', 'Teredo'],
  ])('refuses %s (%s)', (address, why) => {
    expect(refusalOf(address)).toContain(why);
  });

  it.each(['8.8.8.8', '1.1.1.1', '::ffff:8.8.8.8', '2001:4860:4860::8888', '2606:4700::1111', '100.128.0.1', '172.32.0.1'])('lets %s through', (address) => {
    expect(refusalOf(address)).toBeNull();
  });

  it('lets everything through when the instance allows private networks, and reads the setting at each check', () => {
    process.env['TRELLIS_ALLOW_PRIVATE_NETWORK'] = 'true';
    expect(refusalOf('127.0.0.1')).toBeNull();
    process.env['TRELLIS_ALLOW_PRIVATE_NETWORK'] = 'false';
    expect(refusalOf('127.0.0.1')).toContain('loopback');
  });

  it('checks every address a name resolves to (localhost), and IP literals in URLs, in brackets too', async () => {
    await expect(checkedAddress('localhost')).rejects.toMatchObject({ name: 'ActionError', code: 'address_not_allowed' });
    await expect(checkedAddress('[::1]')).rejects.toMatchObject({ code: 'address_not_allowed' });
    expect(() => checkLiteralHost(new URL('http://[::ffff:127.0.0.1]:8080/'))).toThrow(/not allowed/);
    expect(() => checkLiteralHost(new URL('http://169.254.169.254/latest/meta-data'))).toThrow(/metadata/);
    expect(() => checkLiteralHost(new URL('https://example.com/'))).not.toThrow();
    process.env['TRELLIS_ALLOW_PRIVATE_NETWORK'] = 'true';
    expect(await checkedAddress('localhost')).toMatch(/^(127\.0\.0\.1|::1)$/);
  });
});
