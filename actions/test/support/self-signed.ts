import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export type SelfSigned = { readonly certificate: string; readonly privateKey: string };

/**
 * A self-signed certificate for `name` (localhost's also holds 127.0.0.1), made at run time with
 * the machine's openssl into `folder` (so no key is ever committed); a client trusts it only
 * when given it.
 */
export async function makeSelfSignedCertificate(folder: string, name = 'localhost'): Promise<SelfSigned> {
  const altNames = name === 'localhost' ? 'DNS:localhost,IP:127.0.0.1' : `DNS:${name}`;
  const keyFile = join(folder, `${name}.key.pem`);
  const certificateFile = join(folder, `${name}.cert.pem`);
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${name}`,
    '-addext', `subjectAltName=${altNames}`, '-keyout', keyFile, '-out', certificateFile,
  ], { stdio: 'ignore' });
  return { certificate: await readFile(certificateFile, 'utf8'), privateKey: await readFile(keyFile, 'utf8') };
}
