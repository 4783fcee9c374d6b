import { createHash } from 'node:crypto';
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

export type Blob = { readonly mediaType: string; readonly digest: string; readonly size: number; readonly content: Buffer | { readonly file: string; readonly size: number } };

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';

/** `<prefix>/<name>` in the registry. */
export const repositoryOf = (registry: Registry, name: string): string => (registry.prefix ? `${registry.prefix}/${name}` : name);

/** Refused by the registry: the status and what it said, never a credential. */
const refused = (what: string, reply: RegistryReply) =>
  new Error(`the registry refused ${what}: HTTP ${reply.status} ${reply.body.toString('utf8').slice(0, 500)}`.trim());

/**
 * Pushes an image per the OCI distribution spec: each blob that the registry does not have yet
 * (HEAD) in one monolithic upload (POST, then PUT with the digest), then the manifest under
 * `tag`. Returns the manifest's digest (sha256:<hex>), which names the image from then on.
 */
export async function pushImage(registry: Registry, repository: string, image: { config: Blob; layers: readonly Blob[]; tag: string }): Promise<string> {
  const call = authorizedSender(registry, repository);
  for (const blob of [...image.layers, image.config]) await pushBlob(registry, call, repository, blob);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: image.config.mediaType, digest: image.config.digest, size: image.config.size },
    layers: image.layers.map((layer) => ({ mediaType: layer.mediaType, digest: layer.digest, size: layer.size })),
  }));
  const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  const reply = await call({ method: 'PUT', url: urlOf(registry, `/v2/${repository}/manifests/${image.tag}`), headers: { 'content-type': OCI_MANIFEST }, body: manifest });
  if (reply.status !== 201) throw refused(`the manifest of ${repository}:${image.tag}`, reply);
  const answered = reply.headers['docker-content-digest'];
  if (typeof answered === 'string' && answered !== digest) throw new Error(`the registry stored the manifest of ${repository} as ${answered}, expected ${digest}`);
  return digest;
}

async function pushBlob(registry: Registry, call: Sender, repository: string, blob: Blob): Promise<void> {
  const head = await call({ method: 'HEAD', url: urlOf(registry, `/v2/${repository}/blobs/${blob.digest}`) });
  if (head.status === 200) return;
  if (head.status !== 404) throw refused(`a look at blob ${blob.digest}`, head);
  const started = await call({ method: 'POST', url: urlOf(registry, `/v2/${repository}/blobs/uploads/`) });
  const location = started.headers.location;
  if (started.status !== 202 || !location) throw refused(`an upload to ${repository}`, started);
  const url = new URL(location, urlOf(registry, '/'));
  url.searchParams.set('digest', blob.digest);
  const put = await call({ method: 'PUT', url, headers: { 'content-type': 'application/octet-stream' }, body: blob.content });
  if (put.status !== 201) throw refused(`blob ${blob.digest} (${blob.size} bytes)`, put);
}

const urlOf = (registry: Registry, pathname: string) => new URL(`${registry.insecure ? 'http' : 'https'}://${registry.host}${pathname}`);

type Sender = (request: RegistryRequest) => Promise<RegistryReply>;

/**
 * Sends requests with the registry's credentials: on a 401 it reads the challenge and answers
 * it, with HTTP basic authentication or a bearer token from the realm (token exchange per the
 * distribution spec, for pull and push on this repository), then sends the request again.
 */
function authorizedSender(registry: Registry, repository: string): Sender {
  let authorization: string | undefined;
  const basic = registry.user === undefined ? undefined : `Basic ${Buffer.from(`${registry.user}:${registry.password ?? ''}`).toString('base64')}`;
  const withAuth = (request: RegistryRequest): RegistryRequest => (authorization ? { ...request, headers: { ...request.headers, authorization } } : request);
  return async (request) => {
    const first = await send(withAuth(request));
    if (first.status !== 401) return first;
    const challenge = parseChallenge(first.headers['www-authenticate']);
    if (challenge?.scheme === 'basic' && basic) authorization = basic;
    else if (challenge?.scheme === 'bearer') authorization = `Bearer ${await token(challenge.params, repository, basic)}`;
    else throw refused(`${request.method} ${request.url.pathname} without credentials (set TRELLIS_IMAGE_REGISTRY_USER and _PASSWORD)`, first);
    return send(withAuth(request));
  };
}

async function token(params: Readonly<Record<string, string>>, repository: string, basic: string | undefined): Promise<string> {
  const realm = params['realm'];
  if (!realm) throw new Error('the registry asked for a bearer token without naming its realm');
  const url = new URL(realm);
  if (params['service']) url.searchParams.set('service', params['service']);
  url.searchParams.set('scope', `repository:${repository}:pull,push`);
  const reply = await send({ method: 'GET', url, headers: basic ? { authorization: basic } : {} });
  if (reply.status !== 200) throw refused('a token for the push', reply);
  const answer = JSON.parse(reply.body.toString('utf8')) as { token?: string; access_token?: string };
  const value = answer.token ?? answer.access_token;
  if (!value) throw new Error('the registry\'s token service answered without a token');
  return value;
}
