import { parseChallenge, send, type RegistryReply, type RegistryRequest } from './registry-http.js';

/** A registry from TRELLIS_IMAGE_REGISTRY (`host[:port]/prefix`) and its credentials. */
export type Registry = {
  /** host[:port] */
  readonly host: string;
  /** The repositories' prefix ("" for none): images are `<host>/<prefix>/<action id>`. */
  readonly prefix: string;
  readonly user: string | undefined;
  readonly password: string | undefined;
  /** Plain HTTP instead of HTTPS. */
  readonly insecure: boolean;
};

export type Sender = (request: RegistryRequest) => Promise<RegistryReply>;

export const urlOf = (registry: Registry, pathname: string): URL => new URL(`${registry.insecure ? 'http' : 'https'}://${registry.host}${pathname}`);

/** Refused by the registry: the status and what it said, never a credential. */
export const refused = (what: string, reply: RegistryReply): Error =>
  new Error(`the registry refused ${what}: HTTP ${reply.status} ${reply.body.toString('utf8').slice(0, 500)}`.trim());

/**
 * Sends requests with the registry's credentials: on a 401 it reads the challenge and answers
 * it, with HTTP basic authentication or a bearer token from the realm (token exchange per the
 * distribution spec, for `scopes`, e.g. "repository:team/x:pull,push"), then sends the request
 * again. The token is kept for the sender's next requests.
 */
export function authorizedSender(registry: Registry, scopes: readonly string[]): Sender {
  let authorization: string | undefined;
  const basic = registry.user === undefined ? undefined : `Basic ${Buffer.from(`${registry.user}:${registry.password ?? ''}`).toString('base64')}`;
  const withAuth = (request: RegistryRequest): RegistryRequest => (authorization ? { ...request, headers: { ...request.headers, authorization } } : request);
  return async (request) => {
    const first = await send(withAuth(request));
    if (first.status !== 401) return first;
    const challenge = parseChallenge(first.headers['www-authenticate']);
    if (challenge?.scheme === 'basic' && basic) authorization = basic;
    else if (challenge?.scheme === 'bearer') authorization = `Bearer ${await token(challenge.params, scopes, basic)}`;
    else throw refused(`${request.method} ${request.url.pathname} without credentials (set TRELLIS_IMAGE_REGISTRY_USER and _PASSWORD)`, first);
    return send(withAuth(request));
  };
}

async function token(params: Readonly<Record<string, string>>, scopes: readonly string[], basic: string | undefined): Promise<string> {
  const realm = params['realm'];
  if (!realm) throw new Error('the registry asked for a bearer token without naming its realm');
  const url = new URL(realm);
  if (params['service']) url.searchParams.set('service', params['service']);
  for (const scope of scopes) url.searchParams.append('scope', scope);
  const reply = await send({ method: 'GET', url, headers: basic ? { authorization: basic } : {} });
  if (reply.status !== 200) throw refused('a token for the push', reply);
  const answer = JSON.parse(reply.body.toString('utf8')) as { token?: string; access_token?: string };
  const value = answer.token ?? answer.access_token;
  if (!value) throw new Error('the registry\'s token service answered without a token');
  return value;
}
