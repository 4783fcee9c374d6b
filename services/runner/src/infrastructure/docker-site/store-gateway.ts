import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

/** What containers call the store by: the store gateway's address in their /etc/hosts. */
export const STORE_HOST_NAME = 'trellis-store';

export type StoreGateway = {
  /** `http://trellis-store:<port>`: the origin presigned URLs take inside a container. */
  readonly origin: string;
  /** `trellis-store:<ip>`, for the container's extra hosts. */
  readonly hostEntry: string;
  /** A presigned URL of the store, as a container reaches it (others unchanged). */
  translate: (url: string) => string;
  close: () => Promise<void>;
};

const METHODS = new Set(['GET', 'HEAD', 'PUT']);

/**
 * The object store as containers reach it. The store listens on the host's loopback, which a
 * container cannot reach; this gateway listens on the actions network's gateway address and
 * forwards to the store with the Host header the URL was signed for, so a presigned URL signed
 * by the runner works unchanged but for its origin. It forwards only presigned requests (a
 * signature in the query) with the methods actions use: a container holds no store credentials
 * and gains none here.
 */
export async function startStoreGateway(listenHost: string, storeEndpoint: string): Promise<StoreGateway> {
  const store = new URL(storeEndpoint);
  const agent = store.protocol === 'https:' ? https : http;
  const server = http.createServer((request, response) => forward(request, response));
  const forward = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', store);
    if (!METHODS.has(request.method ?? '') || !url.searchParams.has('X-Amz-Signature')) {
      response.writeHead(403, { 'content-type': 'text/plain' }).end('only presigned object URLs are served here\n');
      return;
    }
    const upstream = agent.request({
      protocol: store.protocol, hostname: store.hostname, port: store.port, method: request.method, path: `${url.pathname}${url.search}`,
      headers: { ...request.headers, host: store.host },
    }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', (error) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`the object store cannot be reached: ${error.message}\n`);
    });
    request.pipe(upstream);
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, listenHost, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${STORE_HOST_NAME}:${port}`;
  const storeOrigin = store.origin;
  return {
    origin,
    hostEntry: `${STORE_HOST_NAME}:${listenHost}`,
    translate: (url) => (url.startsWith(`${storeOrigin}/`) ? `${origin}${url.slice(storeOrigin.length)}` : url),
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
