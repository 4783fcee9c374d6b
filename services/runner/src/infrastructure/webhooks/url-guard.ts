import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { classifyAddress } from './address-class.js';

/** Where a webhook may go: the address to connect to (checked), or why not. */
export type Destination =
  | { readonly ok: true; readonly url: URL; readonly address: string; readonly family: 4 | 6 }
  | { readonly ok: false; readonly refused: boolean; readonly error: string };

export type UrlGuardOptions = {
  /** TRELLIS_WEBHOOK_ALLOW_PRIVATE: the admin lets webhooks reach private, loopback and link-local addresses and the platform's own. */
  allowPrivate: boolean;
  /** Host names of the platform's own services (its database, broker, object store...): never called unless allowed. */
  platformHosts: readonly string[];
};

async function addressesOf(host: string): Promise<{ address: string; family: number }[]> {
  const literal = host.replace(/^\[|\]$/g, '');
  if (isIP(literal) !== 0) return [{ address: literal, family: isIP(literal) }];
  return lookup(host, { all: true, verbatim: true });
}

/**
 * Resolves the URL's host once and checks every address it gives; the caller connects to the
 * address returned (never resolving again: a DNS answer that changes between check and connect
 * cannot smuggle an internal address in). A name that does not resolve is a failure to retry;
 * a URL that is not http(s), or reaches inside, is refused.
 */
export async function checkDestination(raw: string, options: UrlGuardOptions): Promise<Destination> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, refused: true, error: 'refused: not a URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, refused: true, error: `refused: only http and https URLs are called, not ${url.protocol}` };
  if (url.username !== '' || url.password !== '') return { ok: false, refused: true, error: 'refused: a URL with credentials in it' };
  let addresses: { address: string; family: number }[];
  try {
    addresses = await addressesOf(url.hostname);
  } catch (error) {
    return { ok: false, refused: false, error: `cannot resolve ${url.hostname}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  const first = addresses[0];
  if (!first) return { ok: false, refused: false, error: `cannot resolve ${url.hostname}: no address` };
  if (!options.allowPrivate) {
    for (const { address } of addresses) {
      const kind = classifyAddress(address);
      if (kind !== 'public') return { ok: false, refused: true, error: `refused: ${url.hostname} resolves to ${address}, ${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} address (TRELLIS_WEBHOOK_ALLOW_PRIVATE lets an admin allow it)` };
    }
    const platform = await platformAddresses(options.platformHosts);
    const internal = addresses.find(({ address }) => platform.has(address));
    if (internal) return { ok: false, refused: true, error: `refused: ${url.hostname} resolves to ${internal.address}, an address of the platform itself` };
  }
  return { ok: true, url, address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** The addresses of the platform's own hosts now (a host that does not resolve adds none). */
async function platformAddresses(hosts: readonly string[]): Promise<Set<string>> {
  const resolved = await Promise.all(hosts.map(async (host) => addressesOf(host).catch(() => [])));
  return new Set(resolved.flat().map(({ address }) => address));
}

/** The host names in the platform's own URLs (the runner's env): database, broker, object store, JWKS. */
export function hostsOf(urls: readonly (string | undefined)[]): string[] {
  return [...new Set(urls.flatMap((value) => {
    if (!value) return [];
    try {
      return [new URL(value).hostname];
    } catch {
      return [];
    }
  }).filter((host) => host !== ''))];
}
