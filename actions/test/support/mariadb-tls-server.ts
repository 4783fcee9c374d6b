import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { SelfSigned } from './self-signed.js';

export type MariadbTlsServer = { readonly port: number; readonly stop: () => Promise<void> };

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Resolves when the server says it is ready; rejects with its log when it exits first or takes too long. */
function readyOrFailure(server: ChildProcess, timeoutMs: number): Promise<void> {
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mariadbd not ready after ${timeoutMs} ms:\n${log}`)), timeoutMs);
    server.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('ready for connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    server.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mariadbd exited (${code}) before it was ready:\n${log}`));
    });
  });
}

/**
 * A throw-away MariaDB with TLS (the machine's own has it disabled): a fresh data folder under
 * `folder`, root without a password on 127.0.0.1, `certificate` as the server's, on a free port.
 * Runs as root (`--user=root`), as the test does; stopped and left for the caller to remove.
 */
export async function startMariadbWithTls(folder: string, certificate: SelfSigned): Promise<MariadbTlsServer> {
  const dataDir = join(folder, 'mariadb-data');
  await mkdir(dataDir);
  const certificateFile = join(folder, 'mariadb-cert.pem');
  const keyFile = join(folder, 'mariadb-key.pem');
  await writeFile(certificateFile, certificate.certificate);
  await writeFile(keyFile, certificate.privateKey);
  execFileSync('mariadb-install-db', [
    '--no-defaults', `--datadir=${dataDir}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db',
  ], { stdio: 'ignore' });
  const port = await freePort();
  const server = spawn('mariadbd', [
    '--no-defaults', `--datadir=${dataDir}`, '--user=root', `--port=${port}`, '--bind-address=127.0.0.1',
    `--socket=${join(folder, 'mariadb.sock')}`, `--pid-file=${join(folder, 'mariadb.pid')}`,
    `--ssl-cert=${certificateFile}`, `--ssl-key=${keyFile}`, '--skip-log-bin', '--innodb-buffer-pool-size=16M',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    await readyOrFailure(server, 30_000);
  } catch (error) {
    server.kill('SIGKILL');
    throw error;
  }
  return {
    port,
    stop: async () => {
      if (server.exitCode !== null) return;
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    },
  };
}
