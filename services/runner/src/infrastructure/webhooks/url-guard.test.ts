import { describe, expect, it } from 'vitest';
import { checkDestination, hostsOf } from './url-guard.js';

const closed = { allowPrivate: false, platformHosts: [] };

describe('checkDestination', () => {
  it.each([
    ['ftp://93.184.216.34/hook', /only http and https URLs/],
    ['file:///etc/passwd', /only http and https URLs/],
    ['not a url', /not a URL/],
    ['http://user:pw@93.184.216.34/hook', /credentials/],
    ['http://127.0.0.1:8105/runner', /127\.0\.0\.1, a loopback address/],
    ['http://localhost:8105/runner', /localhost resolves to .*, a loopback address/],
    ['http://[::1]/', /a loopback address/],
    ['http://169.254.169.254/latest/meta-data/', /a link-local address/],
    ['http://[::ffff:169.254.169.254]/latest/meta-data/', /a link-local address/],
    ['https://10.0.0.7/hook', /a private address/],
    ['http://0.0.0.0:8105/', /an unspecified address/],
  ])('refuses %s', async (url, reason) => {
    const checked = await checkDestination(url, closed);
    expect(checked).toMatchObject({ ok: false, refused: true });
    expect(checked.ok ? '' : checked.error).toMatch(reason);
  });

  it('lets a public address through, to be connected to as checked', async () => {
    expect(await checkDestination('https://93.184.216.34/hook', closed)).toMatchObject({ ok: true, address: '93.184.216.34', family: 4 });
  });

  it('refuses the platform\'s own hosts, wherever they are', async () => {
    const checked = await checkDestination('https://93.184.216.34/hook', { allowPrivate: false, platformHosts: hostsOf(['https://93.184.216.34:9000', undefined, 'not a url']) });
    expect(checked.ok ? '' : checked.error).toMatch(/an address of the platform itself/);
  });

  it('lets internal addresses through when the admin allows them (never another scheme)', async () => {
    const open = { allowPrivate: true, platformHosts: ['127.0.0.1'] };
    expect(await checkDestination('http://127.0.0.1:8105/hook', open)).toMatchObject({ ok: true, address: '127.0.0.1' });
    expect(await checkDestination('gopher://127.0.0.1/', open)).toMatchObject({ ok: false, refused: true });
  });
});
