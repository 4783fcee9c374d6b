import { BlockList, isIP } from 'node:net';

/*
 * Which addresses a webhook may reach. Anything but `public` is inside someone's network (the
 * cluster, the host, the cloud's metadata service at 169.254.169.254) and is refused unless the
 * instance's admin allows it (TRELLIS_WEBHOOK_ALLOW_PRIVATE).
 */

export type AddressClass = 'public' | 'unspecified' | 'loopback' | 'private' | 'link-local' | 'reserved' | 'not-an-address';

const RANGES: readonly (readonly [Exclude<AddressClass, 'public' | 'not-an-address'>, 'ipv4' | 'ipv6', string, number])[] = [
  ['unspecified', 'ipv4', '0.0.0.0', 8],
  ['unspecified', 'ipv6', '::', 128],
  ['loopback', 'ipv4', '127.0.0.0', 8],
  ['loopback', 'ipv6', '::1', 128],
  ['private', 'ipv4', '10.0.0.0', 8],
  ['private', 'ipv4', '172.16.0.0', 12],
  ['private', 'ipv4', '192.168.0.0', 16],
  // Carrier-grade NAT (RFC 6598): private to a provider, often a cluster's pod or node range.
  ['private', 'ipv4', '100.64.0.0', 10],
  ['private', 'ipv6', 'fc00::', 7],
  ['link-local', 'ipv4', '169.254.0.0', 16],
  ['link-local', 'ipv6', 'fe80::', 10],
  // Protocol assignments, benchmarking, multicast, the reserved block and broadcast; IPv6 multicast
  // and the deprecated IPv4-compatible range; NAT64 (it would reach an IPv4 address through a gateway).
  ['reserved', 'ipv4', '192.0.0.0', 24],
  ['reserved', 'ipv4', '198.18.0.0', 15],
  ['reserved', 'ipv4', '224.0.0.0', 4],
  ['reserved', 'ipv4', '240.0.0.0', 4],
  ['reserved', 'ipv6', 'ff00::', 8],
  ['reserved', 'ipv6', '::', 96],
  ['reserved', 'ipv6', '64:ff9b::', 96],
];

const lists = new Map<AddressClass, BlockList>();
for (const [kind, family, network, prefix] of RANGES) {
  const list = lists.get(kind) ?? new BlockList();
  list.addSubnet(network, prefix, family);
  lists.set(kind, list);
}

/**
 * The class of an IP address (IPv4, IPv6, IPv4-mapped IPv6); `not-an-address` for anything else.
 * BlockList matches an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, `::ffff:7f00:1`) against the
 * IPv4 ranges itself (the tests hold it to that).
 */
export function classifyAddress(raw: string): AddressClass {
  const address = raw.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(address);
  if (family === 0) return 'not-an-address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [kind, list] of lists) if (list.check(address, type)) return kind;
  return 'public';
}
