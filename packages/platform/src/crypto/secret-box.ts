import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;

/**
 * AES-256-GCM with a service's own secret key (its TRELLIS_SECRET_KEY). Sealed values read
 * `v1.<iv>.<tag>.<ciphertext>` (base64url). `context` is authenticated but not stored (the
 * row's id), so a sealed value copied onto another row does not open.
 */
export function makeSecretBox(key: Buffer) {
  if (key.length !== 32) throw new Error('the secret box needs a 32-byte key');
  return {
    seal: (plaintext: string, context: string): string => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
    },
    /** Throws when the value was not sealed with this key and context (a wrong TRELLIS_SECRET_KEY, or tampering). */
    open: (sealed: string, context: string): string => {
      const [version, iv, tag, ciphertext] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new Error('not a sealed value');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

export type SecretBox = ReturnType<typeof makeSecretBox>;
