// @ts-check
import { lookup as lookupWithCallback } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { ActionError } from './errors.js';

/*
 * The standard library's network guard: a workflow must not reach into the cluster it runs in
 * (its databases, brokers, the cloud's metadata service at 169.254.169.254) just by naming a host
 * (SSRF). Every address a host resolves to is checked, and the connection goes to an address that
 * was checked, so a DNS answer cannot change between the check and the connection. The instance's
 * administrator may allow private networks (TRELLIS_ACTIONS_ALLOW_PRIVATE_NETWORK on the runner):
 * the runner then gives each action process TRELLIS_ALLOW_PRIVATE_NETWORK=true.
 * One file for every action that connects to a host a user gives (actions/shared/, copied into
 * each folder by scripts/standard-library-shared.mjs: a folder is built alone).
 */

/** @type {Array<[string, number, 'ipv4' | 'ipv6', string]>} */
const REFUSED = [
  ['0.0.0.0', 8, 'ipv4', 'an unspecified address'],
  ['10.0.0.0', 8, 'ipv4', 'a private network address (RFC 1918)'],
  ['100.64.0.0', 10, 'ipv4', 'a carrier-grade NAT address (100.64.0.0/10)'],
  ['127.0.0.0', 8, 'ipv4', 'a loopback address'],
  ['169.254.0.0', 16, 'ipv4', 'a link-local address (this includes the cloud metadata service 169.254.169.254)'],
  ['172.16.0.0', 12, 'ipv4', 'a private network address (RFC 1918)'],
  ['192.168.0.0', 16, 'ipv4', 'a private network address (RFC 1918)'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast address'],
  ['240.0.0.0', 4, 'ipv4', 'a reserved or broadcast address'],
  ['::', 128, 'ipv6', 'an unspecified address'],
  ['::1', 128, 'ipv6', 'a loopback address'],
  ['fc00::', 7, 'ipv6', 'a private network address (fc00::/7)'],
  ['fe80::', 10, 'ipv6', 'a link-local address'],
  ['ff00::', 8, 'ipv6', 'a multicast address'],
  // IPv6 forms that carry an IPv4 address inside, which could be a private one.
  ['64:ff9b::', 96, 'ipv6', 'an IPv6 address embedding an IPv4 one (NAT64)'],
  ['64:ff9b:1::', 48, 'ipv6', 'an IPv6 address embedding an IPv4 one (NAT64)'],
  ['2002::', 16, 'ipv6', 'an IPv6 address embedding an IPv4 one (6to4)'],
  ['2001::', 32, 'ipv6', 'an IPv6 address embedding an IPv4 one (Teredo)'],
  ['::', 96, 'ipv6', 'an IPv6 address embedding an IPv4 one (IPv4-compatible)'],
];

const RANGES = REFUSED.map(([network, prefix, family, why]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { list, family, why };
});

/**
 * The IPv4 address an IPv4-mapped IPv6 address carries (::ffff:127.0.0.1, written ::ffff:7f00:1
 * by URL and by resolvers), or null.
 * @param {string} address
 */
function mappedIpv4(address) {
  const dotted = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted) return /** @type {string} */ (dotted[1]);
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return null;
  const high = parseInt(/** @type {string} */ (hex[1]), 16);
  const low = parseInt(/** @type {string} */ (hex[2]), 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** Read at every check, not once: the runner gives it to the action's process. */
export function privateNetworkAllowed() {
  return process.env.TRELLIS_ALLOW_PRIVATE_NETWORK === 'true';
}

/**
 * Why an address may not be reached (in words), or null when it may: always null when the
 * instance allows private networks.
 * @param {string} address an IPv4 or IPv6 address
 * @returns {string | null}
 */
export function refusalOf(address) {
  if (privateNetworkAllowed()) return null;
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  const mapped = family === 6 ? mappedIpv4(address) : null;
  if (mapped) return refusalOf(mapped);
  const type = family === 6 ? 'ipv6' : 'ipv4';
  return RANGES.find((range) => range.family === type && range.list.check(address, type))?.why ?? null;
}

/**
 * @param {string} host
 * @param {string} address
 * @param {string} reason
 */
function notAllowed(host, address, reason) {
  return new ActionError(
    `${host} (${address}) is not allowed: it is ${reason}. ` +
      'Only an instance that allows private networks (TRELLIS_ACTIONS_ALLOW_PRIVATE_NETWORK=true on its runner) may reach it.',
    'address_not_allowed',
  );
}

/**
 * Resolves `host` and returns the address to connect to, after checking every address it has
 * (a name may not alternate between a public and a private answer).
 * @param {string} host a name, an IP address, or an IPv6 address in brackets
 * @param {string} [unresolvedCode] the error code when the name does not resolve
 * @returns {Promise<string>}
 */
export async function checkedAddress(host, unresolvedCode = 'connection_failed') {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  /** @type {string[]} */
  let addresses;
  if (isIP(bare)) addresses = [bare];
  else {
    try {
      addresses = (await lookup(bare, { all: true, verbatim: true })).map((entry) => entry.address);
    } catch (error) {
      throw new ActionError(`cannot resolve host ${host}: ${/** @type {Error} */ (error).message}`, unresolvedCode);
    }
  }
  for (const address of addresses) {
    const reason = refusalOf(address);
    if (reason) throw notAllowed(host, address, reason);
  }
  return /** @type {string} */ (addresses[0]);
}

/**
 * Throws address_not_allowed when a URL's host is an IP literal that may not be reached (Node
 * connects to a literal without a DNS lookup, so guardedLookup never sees it).
 * @param {URL} url
 */
export function checkLiteralHost(url) {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) === 0) return;
  const reason = refusalOf(host);
  if (reason) throw notAllowed(url.hostname, host, reason);
}

/**
 * A DNS lookup for net.connect (and undici's Agent) that resolves every address of the name and
 * refuses the name if any of them is refused, then connects to one of the checked addresses.
 * @type {import('node:net').LookupFunction}
 */
export function guardedLookup(hostname, options, callback) {
  lookupWithCallback(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const list = /** @type {import('node:dns').LookupAddress[]} */ (/** @type {unknown} */ (addresses));
    for (const { address } of list) {
      const reason = refusalOf(address);
      if (reason) return callback(/** @type {NodeJS.ErrnoException} */ (notAllowed(hostname, address, reason)), '', 0);
    }
    const first = list[0];
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
    if (options.all) return /** @type {any} */ (callback)(null, list);
    return callback(null, first.address, first.family);
  });
}

/**
 * The address_not_allowed error behind a failed connection, if the guard caused it (a client
 * library may wrap the socket's error).
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
