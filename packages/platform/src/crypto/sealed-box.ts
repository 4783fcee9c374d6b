import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';

/*
 * Values sealed for one recipient (the runner) with HPKE, RFC 9180: base mode, DHKEM(X25519,
 * HKDF-SHA256), HKDF-SHA256, AES-256-GCM, empty info; the aad is the caller's (`secretAad`).
 * The sealed bytes are the library's `enc` (the sender's ephemeral X25519 public key, 32 bytes)
 * followed by the AEAD ciphertext (the plaintext's length + a 16-byte tag):
 *
 *   sealed = enc (32) || ciphertext (len(plaintext) + 16)
 *
 * Keys are the raw 32-byte X25519 keys of RFC 7748 in base64. Anyone with the public key can
 * seal; only the private key opens. The key_id sent with a sealed value is `keyIdOf` the public
 * key, so a recipient can tell "sealed for another key" from tampering.
 */

const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });

/** The library's key object (WebCrypto's CryptoKey, which this project's TypeScript libs do not name). */
type KemKey = ReturnType<typeof suite.kem.deserializePublicKey>;

const KEY_BYTES = 32;
const ENC_BYTES = 32;
const TAG_BYTES = 16;
/** DER of a PKCS #8 X25519 private key, up to its 32 raw bytes (RFC 8410). */
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/** The 32 raw bytes of a key in base64; the error never shows the value (it may be a private key). */
function keyBytes(value: string, what: string): Buffer {
  const trimmed = value.trim();
  const bytes = /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  if (bytes.length !== KEY_BYTES) throw new Error(`${what} must be a raw X25519 key: 32 bytes in base64 (see \`trellis-adm keys runner\`)`);
  return bytes;
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** X25519 key pair for sealing to the runner; keys are 32 raw bytes in base64. */
export function generateSealingKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey } = generateKeyPairSync('x25519');
  const jwk = privateKey.export({ format: 'jwk' });
  if (!jwk.d || !jwk.x) throw new Error('the X25519 key pair could not be exported');
  return { privateKey: Buffer.from(jwk.d, 'base64url').toString('base64'), publicKey: Buffer.from(jwk.x, 'base64url').toString('base64') };
}

export function publicKeyOf(privateKeyBase64: string): string {
  const raw = keyBytes(privateKeyBase64, 'the sealing private key');
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, raw]), format: 'der', type: 'pkcs8' });
  const { x } = createPublicKey(privateKey).export({ format: 'jwk' });
  if (!x) throw new Error('the X25519 public key could not be exported');
  return Buffer.from(x, 'base64url').toString('base64');
}

/** SHA-256 fingerprint (hex) of the raw public key: the key_id carried with a sealed value. */
export function keyIdOf(publicKeyBase64: string): string {
  return createHash('sha256').update(keyBytes(publicKeyBase64, 'the sealing public key')).digest('hex');
}

export type Sealer = { readonly keyId: string; seal: (plaintext: string, aad: string) => Promise<Uint8Array> };
/** `open` throws on a wrong key, tampering or another aad. */
export type Opener = { readonly keyId: string; open: (sealed: Uint8Array, aad: string) => Promise<string> };

/** Seals to the holder of the private key of `publicKeyBase64`; throws at once on a malformed key. */
export function makeSealer(publicKeyBase64: string): Sealer {
  const raw = keyBytes(publicKeyBase64, 'the sealing public key');
  let recipient: KemKey | undefined;
  return {
    keyId: createHash('sha256').update(raw).digest('hex'),
    seal: async (plaintext, aad) => {
      recipient ??= suite.kem.deserializePublicKey(raw);
      const { enc, ct } = await suite.seal({ recipientPublicKey: await recipient }, utf8(plaintext), utf8(aad));
      const sealed = new Uint8Array(enc.byteLength + ct.byteLength);
      sealed.set(new Uint8Array(enc), 0);
      sealed.set(new Uint8Array(ct), enc.byteLength);
      return sealed;
    },
  };
}

/** Opens what was sealed to the public key of `privateKeyBase64`; throws at once on a malformed key. */
export function makeOpener(privateKeyBase64: string): Opener {
  const raw = keyBytes(privateKeyBase64, 'the sealing private key');
  let recipient: KemKey | undefined;
  return {
    keyId: keyIdOf(publicKeyOf(privateKeyBase64)),
    open: async (sealed, aad) => {
      if (sealed.byteLength < ENC_BYTES + TAG_BYTES) throw new Error('not a sealed value: shorter than its header and tag');
      recipient ??= suite.kem.deserializePrivateKey(raw);
      let opened: ArrayBuffer;
      try {
        opened = await suite.open({ recipientKey: await recipient, enc: sealed.subarray(0, ENC_BYTES) }, sealed.subarray(ENC_BYTES), utf8(aad));
      } catch (error) {
        throw new Error('the sealed value does not open: sealed for another key, bound to another aad, or altered', { cause: error });
      }
      return new TextDecoder('utf-8', { fatal: true }).decode(opened);
    },
  };
}

/** The aad that binds a secret to its project and name. */
export function secretAad(projectId: string, name: string): string {
  return `trellis.secret.v1:${projectId}:${name}`;
}
