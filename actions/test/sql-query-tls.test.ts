import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMariadbWithTls, type MariadbTlsServer } from './support/mariadb-tls-server.js';
import { startPostgresTlsProxy, type PostgresTlsProxy } from './support/postgres-tls-proxy.js';
import { runStandardAction } from './support/run-action.js';
import { makeSelfSignedCertificate, type SelfSigned } from './support/self-signed.js';

// The machine's PostgreSQL has ssl off: TLS comes from a proxy made here, with a certificate
// made at run time for localhost, that no client trusts unless given it as ssl_ca.
let folder: string;
let certificate: SelfSigned;
let proxy: PostgresTlsProxy;

const query = { dialect: 'postgres', database: 'postgres', user: 'postgres', query: 'SELECT 42 AS answer, current_user AS who' };
const answer = { rows: [{ answer: 42, who: 'postgres' }], row_count: 1, columns: ['answer', 'who'] };

beforeAll(async () => {
  process.env.TRELLIS_ALLOW_PRIVATE_NETWORK = 'true';
  folder = await mkdtemp(join(tmpdir(), 'sql-query-tls-'));
  certificate = await makeSelfSignedCertificate(folder);
  proxy = await startPostgresTlsProxy(certificate);
});

afterAll(async () => {
  delete process.env.TRELLIS_ALLOW_PRIVATE_NETWORK;
  await proxy.close();
  await rm(folder, { recursive: true, force: true });
});

describe('sql-query on PostgreSQL over TLS', () => {
  it('answers rows with verify-full, given the server certificate as ssl_ca and its host name', async () => {
    const before = proxy.tlsSessions();
    const run = await runStandardAction('sql-query', { ...query, host: 'localhost', port: proxy.port, ssl: 'verify-full', ssl_ca: certificate.certificate });
    expect(run.error).toBeNull();
    expect(run.outputs).toEqual(answer);
    expect(proxy.tlsSessions()).toBe(before + 1);
  });

  it('refuses the untrusted certificate with verify-full and no ssl_ca', async () => {
    const before = proxy.tlsSessions();
    const run = await runStandardAction('sql-query', { ...query, host: 'localhost', port: proxy.port, ssl: 'verify-full' });
    expect(run.error?.code).toBe('connection_failed');
    expect(run.error?.message).toMatch(/self.signed/i);
    expect(proxy.tlsSessions()).toBe(before);
  });

  it('refuses with verify-full when the host name is not the certificate\'s, even with ssl_ca', async () => {
    const other = await makeSelfSignedCertificate(folder, 'db.example.com');
    const renamed = await startPostgresTlsProxy(other);
    try {
      const run = await runStandardAction('sql-query', { ...query, host: 'localhost', port: renamed.port, ssl: 'verify-full', ssl_ca: other.certificate });
      expect(run.error?.code).toBe('connection_failed');
      expect(run.error?.message).toMatch(/localhost.*db\.example\.com|altnames/i);
      expect(renamed.tlsSessions()).toBe(0);
    } finally {
      await renamed.close();
    }
  });

  it('encrypts without checking the certificate with require', async () => {
    const before = proxy.tlsSessions();
    const run = await runStandardAction('sql-query', { ...query, host: '127.0.0.1', port: proxy.port, ssl: 'require' });
    expect(run.error).toBeNull();
    expect(run.outputs).toEqual(answer);
    expect(proxy.tlsSessions()).toBe(before + 1);
  });

  it('refuses a server without TLS with require or verify-full, rather than sending in clear', async () => {
    for (const ssl of ['require', 'verify-full']) {
      const run = await runStandardAction('sql-query', { ...query, host: '127.0.0.1', port: 5432, ssl, ssl_ca: certificate.certificate });
      expect(run.error?.code).toBe('connection_failed');
      expect(run.error?.message).toMatch(/does not support SSL/i);
    }
  });
});

describe('sql-query on MariaDB over TLS', () => {
  let mariadb: MariadbTlsServer;
  const mysqlQuery = { dialect: 'mysql', database: 'mysql', user: 'root', query: "SHOW SESSION STATUS LIKE 'Ssl_version'" };

  beforeAll(async () => {
    mariadb = await startMariadbWithTls(folder, certificate);
  }, 60_000);

  afterAll(async () => {
    await mariadb.stop();
  }, 30_000);

  it('answers over TLS with verify-full, given the server certificate as ssl_ca and its host name', async () => {
    const run = await runStandardAction('sql-query', { ...mysqlQuery, host: 'localhost', port: mariadb.port, ssl: 'verify-full', ssl_ca: certificate.certificate });
    expect(run.error).toBeNull();
    expect(run.outputs.rows).toEqual([{ Variable_name: 'Ssl_version', Value: expect.stringMatching(/^TLSv1\.[23]$/) }]);
  });

  it('refuses the untrusted certificate with verify-full and no ssl_ca', async () => {
    const run = await runStandardAction('sql-query', { ...mysqlQuery, host: 'localhost', port: mariadb.port, ssl: 'verify-full' });
    expect(run.error?.code).toBe('connection_failed');
    expect(run.error?.message).toMatch(/self.signed/i);
  });

  it('refuses the machine\'s MariaDB, which has no TLS, with require', async () => {
    const run = await runStandardAction('sql-query', { ...mysqlQuery, host: '127.0.0.1', port: 3306, ssl: 'require' });
    expect(run.error?.code).toBe('connection_failed');
    expect(run.error?.message).toMatch(/does not support secure connection/i);
  });
});
