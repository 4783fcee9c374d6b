import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export type SelfSigned = { readonly certificate: string; readonly privateKey: string };

/**
 * A self-signed certificate for localhost and 127.0.0.1, made at run time with the machine's
 * openssl into `folder` (so no key is ever committed); a client trusts it only when given it.
 */
export async function makeSelfSignedCertificate(folder: string): Promise<SelfSigned> {
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', join(folder, 'key.pem'), '-out', join(folder, 'cert.pem'),
  ], { stdio: 'ignore' });
  return { certificate: await readFile(join(folder, 'cert.pem'), 'utf8'), privateKey: await readFile(join(folder, 'key.pem'), 'utf8') };
}
