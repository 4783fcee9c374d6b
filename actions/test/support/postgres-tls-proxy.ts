import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { SelfSigned } from './self-signed.js';

/** The code a PostgreSQL client sends (in an 8-byte message) to ask for TLS before its startup message. */
const SSL_REQUEST_CODE = 80877103;

export type PostgresTlsProxy = {
  readonly port: number;
  /** Sessions that completed the TLS handshake and were relayed to PostgreSQL. */
  readonly tlsSessions: () => number;
  readonly close: () => Promise<void>;
};

function isSslRequest(chunk: Buffer): boolean {
  return chunk.length >= 8 && chunk.readInt32BE(0) === 8 && chunk.readInt32BE(4) === SSL_REQUEST_CODE;
}

/**
 * A PostgreSQL server with TLS, as a client sees one: it answers the SSLRequest with 'S', does
 * the TLS handshake with `certificate`, then relays the plaintext protocol to the machine's
 * PostgreSQL (whose own ssl is off), without forwarding the SSLRequest. A client that does not
 * ask for TLS is hung up on, as a server with `hostssl` lines only would.
 */
export async function startPostgresTlsProxy(certificate: SelfSigned, upstreamPort = 5432): Promise<PostgresTlsProxy> {
  let sessions = 0;
  const open = new Set<Socket>();
  const tlsServer = createTlsServer({ key: certificate.privateKey, cert: certificate.certificate });
  // A client that refuses our certificate ends the handshake: that is the case under test, not a fault.
  tlsServer.on('tlsClientError', (_error, socket) => socket.destroy());
  tlsServer.on('secureConnection', (secured: TLSSocket) => {
    sessions += 1;
    const upstream = connect(upstreamPort, '127.0.0.1');
    open.add(upstream);
    upstream.on('close', () => open.delete(upstream));
    for (const [from, to] of [[secured, upstream], [upstream, secured]] as const) {
      from.on('error', () => to.destroy());
      from.on('close', () => to.destroy());
      from.pipe(to);
    }
  });
  const server: Server = createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.once('data', (chunk: Buffer) => {
      if (!isSslRequest(chunk)) {
        socket.destroy();
        return;
      }
      socket.pause();
      // The client waits for our answer before its ClientHello, so nothing follows the request yet.
      socket.write('S', () => tlsServer.emit('connection', socket));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    tlsSessions: () => sessions,
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
