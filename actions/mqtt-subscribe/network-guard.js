// @ts-check
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { ActionError } from './errors.js';

/**
 * The standard library's network guard: a workflow must not reach into the cluster it runs in
 * (databases, the cloud's metadata service at 169.254.169.254...) just by naming a host. Every
 * address a host resolves to is checked, and the caller connects to the address that was checked,
 * so a DNS answer cannot change between the check and the connection.
 */

/** @type {Array<[string, number, 'ipv4' | 'ipv6', string]>} */
const REFUSED = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['fc00::', 7, 'ipv6', 'private'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

/** @param {string} address @returns {string | null} why the address is refused, or null */
export function refusalOf(address) {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as the IPv4 address it carries.
  const mapped = family === 'ipv6' ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address) : null;
  if (mapped) return refusalOf(/** @type {string} */ (mapped[1]));
  for (const [network, prefix, type, why] of REFUSED) {
    if (type !== family) continue;
    const list = new BlockList();
    list.addSubnet(network, prefix, type);
    if (list.check(address, type)) return why;
  }
  return null;
}

export function privateNetworkAllowed() {
  return process.env.TRELLIS_ALLOW_PRIVATE_NETWORK === 'true';
}

/**
 * Resolves `host` and returns the address to connect to, after checking every address it has.
 * @param {string} host
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
  if (!privateNetworkAllowed()) {
    for (const address of addresses) {
      const why = refusalOf(address);
      if (why) {
        throw new ActionError(
          `host ${host} resolves to ${address}, a ${why} address; this instance does not allow private networks (TRELLIS_ALLOW_PRIVATE_NETWORK)`,
          'address_not_allowed',
        );
      }
    }
  }
  return /** @type {string} */ (addresses[0]);
}
