// @ts-check
// The network guard: a workflow must not reach into the cluster or the cloud's metadata service
// (SSRF). Every address a connection goes to is checked, after DNS resolution, at connect time,
// so a name that resolves to 127.0.0.1 or a redirect to a private host is refused as well.
import { lookup as dnsLookup } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { ActionError } from './errors.js';

/** ipaddr.js range names refused, with the reason given to the user. */
const REFUSED_RANGES = new Map([
  ['unspecified', 'an unspecified address'],
  ['broadcast', 'a broadcast address'],
  ['multicast', 'a multicast address'],
  ['linkLocal', 'a link-local address (this includes the cloud metadata service 169.254.169.254)'],
  ['loopback', 'a loopback address'],
  ['private', 'a private network address (RFC 1918)'],
  ['uniqueLocal', 'a private network address (fc00::/7)'],
  ['carrierGradeNat', 'a carrier-grade NAT address (100.64.0.0/10)'],
  // IPv6 forms that carry an IPv4 address inside, which could be a private one.
  ['rfc6052', 'an IPv6 address embedding an IPv4 one (NAT64)'],
  ['rfc6145', 'an IPv6 address embedding an IPv4 one'],
  ['6to4', 'an IPv6 address embedding an IPv4 one (6to4)'],
  ['teredo', 'an IPv6 address embedding an IPv4 one (Teredo)'],
]);

/** Read at every check, not once: the runner sets it from the instance's configuration. */
export function privateNetworkAllowed() {
  return process.env.TRELLIS_ALLOW_PRIVATE_NETWORK === 'true';
}

/**
 * Why an address may not be reached, or null when it may.
 * @param {string} address an IPv4 or IPv6 address
 * @returns {string | null}
 */
export function refusalOf(address) {
  if (privateNetworkAllowed()) return null;
  if (!ipaddr.isValid(address)) return 'not an IP address';
  // process() turns ::ffff:10.0.0.1 into 10.0.0.1, so the IPv4 ranges apply to it.
  const range = ipaddr.process(address).range();
  return REFUSED_RANGES.get(range) ?? null;
}

/**
 * Throws address_not_allowed when a URL's host is an IP literal that may not be reached
 * (Node connects to a literal without a DNS lookup, so the lookup below never sees it).
 * @param {URL} url
 */
export function checkLiteralHost(url) {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(host)) return;
  const reason = refusalOf(host);
  if (reason) throw notAllowed(url.hostname, host, reason);
}

/**
 * @param {string} host
 * @param {string} address
 * @param {string} reason
 */
function notAllowed(host, address, reason) {
  return new ActionError(
    `${host} (${address}) is not allowed: it is ${reason}. ` +
      'Only an instance that allows private networks (TRELLIS_ALLOW_PRIVATE_NETWORK=true on its runner) may reach it.',
    'address_not_allowed',
  );
}

/**
 * A DNS lookup for net.connect that resolves every address of the name and refuses the name if
 * any of them is refused (so a name cannot alternate between a public and a private answer), then
 * connects to one of the checked addresses.
 * @type {import('node:net').LookupFunction}
 */
export function guardedLookup(hostname, options, callback) {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const list = /** @type {import('node:dns').LookupAddress[]} */ (/** @type {unknown} */ (addresses));
    for (const { address } of list) {
      const reason = refusalOf(address);
      if (reason) return callback(/** @type {NodeJS.ErrnoException} */ (notAllowed(hostname, address, reason)), '', 0);
    }
    if (list.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
    if (options.all) return /** @type {any} */ (callback)(null, list);
    const first = /** @type {import('node:dns').LookupAddress} */ (list[0]);
    return callback(null, first.address, first.family);
  });
}

/**
 * The address_not_allowed error behind a failed request, if the guard caused it (undici may wrap
 * the socket's error).
 * @param {unknown} error
 * @returns {ActionError | null}
 */
export function guardRefusalIn(error) {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof ActionError && current.code === 'address_not_allowed') return current;
    current = /** @type {{ cause?: unknown }} */ (current).cause;
  }
  return null;
}
