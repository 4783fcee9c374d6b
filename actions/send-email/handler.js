// @ts-check
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import nodemailer from 'nodemailer';
import { addressList, singleAddress } from './addresses.js';
import { ActionError } from './errors.js';
import { checkedAddress } from './network-guard.js';

/**
 * Sends one e-mail through an SMTP server, with attachments from file inputs. TLS is required
 * unless `security` is `none`: with `starttls`, a server that does not offer the upgrade is
 * refused rather than sent the password in clear.
 * @param {Record<string, any>} inputs
 * @param {{ idempotencyKey?: string }} context
 */
export async function handle(inputs, context) {
  const message = {
    from: singleAddress(inputs.from, 'from'),
    to: addressList(inputs.to, 'to'),
    cc: addressList(inputs.cc, 'cc'),
    bcc: addressList(inputs.bcc, 'bcc'),
    replyTo: inputs.reply_to ? singleAddress(inputs.reply_to, 'reply_to') : undefined,
    subject: String(inputs.subject ?? ''),
    text: inputs.text ?? undefined,
    html: inputs.html ?? undefined,
    attachments: await attachmentsOf(inputs),
    // The same step run again (a retry) sends the same Message-ID, so mail systems can spot the repeat.
    ...(context.idempotencyKey ? { messageId: `<${context.idempotencyKey.replace(/[^\w.-]/g, '.')}@trellis>` } : {}),
  };
  if (message.to.length + message.cc.length + message.bcc.length === 0) throw new ActionError('no recipient: give to (or cc, bcc)', 'bad_address');
  if (message.text === undefined && message.html === undefined) throw new ActionError('the message is empty: give text or html', 'bad_input');

  const transport = nodemailer.createTransport(await transportOptions(inputs));
  try {
    const sent = await transport.sendMail(message);
    return { message_id: sent.messageId, accepted: sent.accepted.map(String), rejected: sent.rejected.map(String) };
  } catch (error) {
    throw smtpError(error, inputs.host);
  } finally {
    transport.close();
  }
}

/** @param {Record<string, any>} inputs */
async function transportOptions(inputs) {
  const host = String(inputs.host ?? '').trim();
  if (host === '') throw new ActionError('host is empty: give the SMTP server', 'bad_input');
  const timeout = inputs.timeout_ms ?? 30_000;
  const security = inputs.security ?? 'starttls';
  return {
    // The socket goes to the checked address; TLS checks the certificate against the host name.
    host: await checkedAddress(host, 'smtp_connection_failed'),
    port: inputs.port ?? 587,
    secure: security === 'tls',
    requireTLS: security === 'starttls',
    ignoreTLS: security === 'none',
    auth: inputs.username ? { user: String(inputs.username), pass: String(inputs.password ?? '') } : undefined,
    tls: { servername: host, rejectUnauthorized: true, ...(inputs.tls_ca ? { ca: String(inputs.tls_ca) } : {}) },
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    logger: false,
  };
}

/**
 * `attachment` (one file) and every file directly inside `attachments` (a folder), each under
 * its own file name. Nodemailer streams them from disk while sending.
 * @param {Record<string, any>} inputs
 */
async function attachmentsOf(inputs) {
  /** @type {Array<{ filename: string, path: string }>} */
  const attachments = [];
  if (typeof inputs.attachment === 'string') attachments.push({ filename: basename(inputs.attachment), path: inputs.attachment });
  if (typeof inputs.attachments === 'string') {
    for (const name of (await readdir(inputs.attachments)).sort()) {
      const path = join(inputs.attachments, name);
      if ((await stat(path)).isFile()) attachments.push({ filename: name, path });
    }
  }
  return attachments;
}

/**
 * Nodemailer's error codes, as the action's stable ones; the server's own reply stays in the message.
 * @param {unknown} error @param {string} host
 */
function smtpError(error, host) {
  const { code, message, response } = /** @type {{ code?: string, message: string, response?: string }} */ (error);
  const detail = response && !message.includes(response) ? `${message} (server said: ${response})` : message;
  switch (code) {
    case 'EAUTH':
    case 'ENOAUTH':
      return new ActionError(`${host} refused the login: ${detail}`, 'smtp_auth_failed');
    case 'EENVELOPE':
    case 'EMESSAGE':
    case 'EMAXRECIPIENTS':
    case 'EMAXLIMIT':
      return new ActionError(`${host} refused the message: ${detail}`, 'smtp_rejected');
    case 'ETLS':
      return new ActionError(`no TLS with ${host}: ${detail}; the server must offer STARTTLS (or use security tls on its TLS port)`, 'smtp_connection_failed');
    default:
      return new ActionError(`cannot talk to ${host}: ${detail}`, 'smtp_connection_failed');
  }
}
