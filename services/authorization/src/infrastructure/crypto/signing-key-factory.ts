import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { TOKEN_ALGORITHM } from '@trellis/platform/auth/tokens';
import type { SigningKeyFactory } from '../../application/ports.js';
import type { SecretBox } from '@trellis/platform/crypto/secret-box';

const generateEd25519 = promisify(generateKeyPair);

/** Ed25519 key pairs; the private JWK is sealed with the instance secret before it leaves this function. */
export function makeSigningKeyFactory(box: SecretBox): SigningKeyFactory {
  return async ({ kid, now }) => {
    const { publicKey, privateKey } = await generateEd25519('ed25519');
    const { kty, crv, x } = publicKey.export({ format: 'jwk' });
    if (!kty || !crv || !x) throw new Error('Ed25519 public key without its JWK fields');
    return {
      kid,
      algorithm: TOKEN_ALGORITHM,
      publicJwk: { kty, crv, x },
      sealedPrivateKey: box.seal(JSON.stringify(privateKey.export({ format: 'jwk' })), kid),
      createdAt: now,
      retiredAt: null,
    };
  };
}
