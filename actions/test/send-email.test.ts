import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanUpRuns, runStandardAction } from './support/run-action.js';
import { makeSelfSignedCertificate } from './support/self-signed.js';

type Received = { from: string; to: string[]; raw: string; secure: boolean };

let folder: string;
let certificate: string;
let privateKey: string;
const servers: SMTPServer[] = [];

/** An SMTP server on a free loopback port that keeps what it receives. */
async function startSmtp(options: SMTPServerOptions): Promise<{ port: number; received: Received[] }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    ...options,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
        });
        callback();
      });
    },
  });
  // A client that refuses the certificate closes the handshake: the server reports it as an error event.
  server.on('error', () => {});
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.server.address() as AddressInfo).port, received };
}

/** The bytes of the attachment named `filename` in a raw MIME message (base64, as nodemailer writes it). */
function attachmentBytes(raw: string, filename: string): Buffer {
  const start = raw.indexOf(`filename=${filename}`);
  if (start < 0) throw new Error(`no attachment ${filename} in:\n${raw.slice(0, 2000)}`);
  const body = raw.indexOf('\r\n\r\n', start) + 4;
  const end = raw.indexOf('\r\n--', body);
  return Buffer.from(raw.slice(body, end).replace(/\s+/g, ''), 'base64');
}

const message = { from: 'Reports <reports@example.com>', to: 'alice@example.com, Bob <bob@example.org>', subject: 'Monthly report', text: 'See attached.' };

beforeAll(async () => {
  process.env.TRELLIS_ALLOW_PRIVATE_NETWORK = 'true';
  folder = await mkdtemp(join(tmpdir(), 'send-email-test-'));
  ({ certificate, privateKey } = await makeSelfSignedCertificate(folder));
});

afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
});

afterAll(async () => {
  delete process.env.TRELLIS_ALLOW_PRIVATE_NETWORK;
  await rm(folder, { recursive: true, force: true });
  await cleanUpRuns();
});

describe('send-email', () => {
  it('delivers a message with its attachments, bytes equal', async () => {
    const smtp = await startSmtp({ authOptional: true, disabledCommands: ['STARTTLS'] });
    const report = randomBytes(40_000);
    await writeFile(join(folder, 'report.bin'), report);
    const extra = join(folder, 'extra');
    await mkdir(extra);
    await writeFile(join(extra, 'notes.txt'), 'some notes');

    const run = await runStandardAction('send-email', {
      ...message, host: '127.0.0.1', port: smtp.port, security: 'none', cc: '["carol@example.net"]',
      attachment: { file: join(folder, 'report.bin') }, attachments: { directory: extra },
    });
    expect(run.error).toBeNull();
    expect(run.outputs.accepted).toEqual(['alice@example.com', 'bob@example.org', 'carol@example.net']);
    expect(run.outputs.rejected).toEqual([]);
    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail?.from).toBe('reports@example.com');
    expect(mail?.raw).toContain('Subject: Monthly report');
    expect(mail?.raw).toContain(`Message-ID: ${run.outputs.message_id}`);
    expect(attachmentBytes(mail?.raw ?? '', 'report.bin')).toEqual(report);
    expect(attachmentBytes(mail?.raw ?? '', 'notes.txt').toString()).toBe('some notes');
  });

  it('logs in over STARTTLS, trusting the self-signed certificate given in tls_ca', async () => {
    const smtp = await startSmtp({
      key: privateKey, cert: certificate,
      onAuth(auth, _session, callback) {
        if (auth.username === 'mailer' && auth.password === 'right-password') callback(null, { user: 'mailer' });
        else callback(new Error('Invalid username or password'));
      },
    });
    const run = await runStandardAction('send-email', {
      ...message, host: 'localhost', port: smtp.port, security: 'starttls', tls_ca: certificate, username: 'mailer', password: 'right-password',
    });
    expect(run.error).toBeNull();
    expect(smtp.received).toHaveLength(1);

    const untrusted = await runStandardAction('send-email', {
      ...message, host: 'localhost', port: smtp.port, security: 'starttls', username: 'mailer', password: 'right-password',
    });
    expect(untrusted.error?.code).toBe('smtp_connection_failed');
    expect(untrusted.error?.message).toMatch(/self.signed/i);
    expect(smtp.received).toHaveLength(1);
  });

  it('sends over implicit TLS (security tls, the port 465 way) with its attachment, trusting the certificate given in tls_ca', async () => {
    const smtp = await startSmtp({ secure: true, key: privateKey, cert: certificate, authOptional: true });
    const report = randomBytes(20_000);
    await writeFile(join(folder, 'implicit.bin'), report);
    const run = await runStandardAction('send-email', {
      ...message, host: 'localhost', port: smtp.port, security: 'tls', tls_ca: certificate, attachment: { file: join(folder, 'implicit.bin') },
    });
    expect(run.error).toBeNull();
    expect(run.outputs.accepted).toEqual(['alice@example.com', 'bob@example.org']);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]?.secure).toBe(true);
    expect(attachmentBytes(smtp.received[0]?.raw ?? '', 'implicit.bin')).toEqual(report);
  });

  it('refuses an implicit TLS server whose certificate is not trusted, before sending anything', async () => {
    const smtp = await startSmtp({ secure: true, key: privateKey, cert: certificate, authOptional: true });
    const run = await runStandardAction('send-email', { ...message, host: 'localhost', port: smtp.port, security: 'tls' });
    expect(run.error?.code).toBe('smtp_connection_failed');
    expect(run.error?.message).toMatch(/self.signed/i);
    expect(smtp.received).toHaveLength(0);
  });

  it('fails clearly when security tls meets a server that speaks plain SMTP', async () => {
    const smtp = await startSmtp({ authOptional: true, disabledCommands: ['STARTTLS'] });
    const run = await runStandardAction('send-email', { ...message, host: '127.0.0.1', port: smtp.port, security: 'tls', timeout_ms: 5000 });
    expect(run.error?.code).toBe('smtp_connection_failed');
    expect(run.error?.message).toMatch(/^cannot talk to 127\.0\.0\.1: .*(wrong version number|packet length|ssl|tls)/i);
    expect(smtp.received).toHaveLength(0);
  });

  it('reports a wrong password as smtp_auth_failed', async () => {
    const smtp = await startSmtp({
      key: privateKey, cert: certificate,
      onAuth(_auth, _session, callback) { callback(new Error('Invalid username or password')); },
    });
    const run = await runStandardAction('send-email', {
      ...message, host: 'localhost', port: smtp.port, tls_ca: certificate, username: 'mailer', password: 'wrong-password',
    });
    expect(run.error?.code).toBe('smtp_auth_failed');
    expect(run.error?.message).not.toContain('wrong-password');
    expect(smtp.received).toHaveLength(0);
  });

  it('refuses a server that does not offer STARTTLS when starttls is asked, before sending the password', async () => {
    let loginTried = false;
    const smtp = await startSmtp({
      disabledCommands: ['STARTTLS'], allowInsecureAuth: true,
      onAuth(_auth, _session, callback) { loginTried = true; callback(null, { user: 'mailer' }); },
    });
    const run = await runStandardAction('send-email', { ...message, host: '127.0.0.1', port: smtp.port, username: 'mailer', password: 'secret' });
    expect(run.error?.code).toBe('smtp_connection_failed');
    expect(loginTried).toBe(false);
    expect(smtp.received).toHaveLength(0);
  });

  it('reports a refused recipient as smtp_rejected with the server reply', async () => {
    const smtp = await startSmtp({
      authOptional: true, disabledCommands: ['STARTTLS'],
      onRcptTo(address, _session, callback) {
        const refused = Object.assign(new Error('5.1.1 No such mailbox here'), { responseCode: 550 });
        if (address.address.startsWith('nobody')) callback(refused);
        else callback();
      },
    });
    const all = await runStandardAction('send-email', { ...message, to: 'nobody@example.com', host: '127.0.0.1', port: smtp.port, security: 'none' });
    expect(all.error?.code).toBe('smtp_rejected');
    expect(all.error?.message).toContain('No such mailbox here');

    const some = await runStandardAction('send-email', { ...message, to: 'nobody@example.com, alice@example.com', host: '127.0.0.1', port: smtp.port, security: 'none' });
    expect(some.error).toBeNull();
    expect(some.outputs).toMatchObject({ accepted: ['alice@example.com'], rejected: ['nobody@example.com'] });
  });

  it('refuses an address that is not one, before connecting', async () => {
    const run = await runStandardAction('send-email', { ...message, to: 'alice@example.com, not an address', host: '127.0.0.1', port: 1, security: 'none' });
    expect(run.error?.code).toBe('bad_address');
  });

  it('refuses a loopback server unless the instance allows private networks', async () => {
    const smtp = await startSmtp({ authOptional: true, disabledCommands: ['STARTTLS'] });
    delete process.env.TRELLIS_ALLOW_PRIVATE_NETWORK;
    try {
      const run = await runStandardAction('send-email', { ...message, host: '127.0.0.1', port: smtp.port, security: 'none' });
      expect(run.error?.code).toBe('address_not_allowed');
    } finally {
      process.env.TRELLIS_ALLOW_PRIVATE_NETWORK = 'true';
    }
    expect(smtp.received).toHaveLength(0);
  });
});
