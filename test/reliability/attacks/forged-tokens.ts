import { SignJWT, decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose';

/*
 * Tokens an attacker can make from a real one without the signing key: each must be refused
 * (401) by every service. The claims are raised to owner and instance admin, so a verifier that
 * accepted any of them would also let the forged rights through.
 */

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function partsOf(token: string): { header: Record<string, unknown>; claims: Record<string, unknown>; signature: string } {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>,
    signature,
  };
}

/** The payload changed (role owner, instance admin), the original signature kept. */
export function tamperedPayload(token: string): string {
  const { header, claims, signature } = partsOf(token);
  return [b64(header), b64({ ...claims, role: 'owner', adm: true }), signature].join('.');
}

/** `alg: none` with the raised claims and no signature (the classic JWT bypass). */
export function algNone(token: string): string {
  const { header, claims } = partsOf(token);
  return [b64({ ...header, alg: 'none' }), b64({ ...claims, role: 'owner', adm: true }), ''].join('.');
}

/** The same claims (raised) signed by a key nobody published, under the real key id. */
export async function signedByAnotherKey(token: string): Promise<string> {
  const stranger = await generateKeyPair('EdDSA');
  const header = decodeProtectedHeader(token) as { alg: string };
  return new SignJWT({ ...decodeJwt(token), role: 'owner', adm: true }).setProtectedHeader(header).sign(stranger.privateKey);
}

/** HS256 keyed with the public key's text, for verifiers that confuse asymmetric and symmetric algorithms. */
export async function hmacWithPublicKey(token: string, jwks: unknown): Promise<string> {
  const header = decodeProtectedHeader(token);
  return new SignJWT({ ...decodeJwt(token), role: 'owner', adm: true })
    .setProtectedHeader({ ...header, alg: 'HS256' })
    .sign(new TextEncoder().encode(JSON.stringify(jwks)));
}
