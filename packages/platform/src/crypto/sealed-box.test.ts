import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSealingKeyPair, keyIdOf, makeOpener, makeSealer, publicKeyOf, secretAad } from './sealed-box.js';

const runner = generateSealingKeyPair();
const sealer = makeSealer(runner.publicKey);
const opener = makeOpener(runner.privateKey);
const aad = secretAad('7d3c1a52-0000-4000-8000-000000000001', 'DB_PASSWORD');

describe('the sealed box', () => {
  it('makes X25519 key pairs of 32 raw bytes each, and finds the public key again from the private one', () => {
    expect(Buffer.from(runner.privateKey, 'base64')).toHaveLength(32);
    expect(Buffer.from(runner.publicKey, 'base64')).toHaveLength(32);
    expect(publicKeyOf(runner.privateKey)).toBe(runner.publicKey);
    expect(generateSealingKeyPair().privateKey).not.toBe(runner.privateKey);
  });

  it('names a key by the SHA-256 of its raw public key, the same on both sides', () => {
    expect(keyIdOf(runner.publicKey)).toBe(createHash('sha256').update(Buffer.from(runner.publicKey, 'base64')).digest('hex'));
    expect(sealer.keyId).toBe(keyIdOf(runner.publicKey));
    expect(opener.keyId).toBe(sealer.keyId);
  });

  it('opens what was sealed to its public key, with the same aad', async () => {
    for (const plaintext of ['hunter2', '', 'pässwörd ✓ with more than one block of text, '.repeat(5)]) {
      expect(await opener.open(await sealer.seal(plaintext, aad), aad)).toBe(plaintext);
    }
  });

  it('lays the sealed bytes out as enc (32 bytes) then the ciphertext with its 16-byte tag, without the plaintext', async () => {
    const plaintext = 'correct horse battery staple';
    const sealed = await sealer.seal(plaintext, aad);
    expect(sealed).toHaveLength(32 + Buffer.byteLength(plaintext) + 16);
    expect(Buffer.from(sealed).includes(Buffer.from(plaintext))).toBe(false);
    expect(Buffer.from(sealed).toString('latin1')).not.toContain('horse');
    expect(Buffer.from(await sealer.seal(plaintext, aad))).not.toEqual(Buffer.from(sealed)); // a fresh ephemeral key each time
  });

  it('refuses another key, another aad and a flipped byte anywhere', async () => {
    const sealed = await sealer.seal('hunter2', aad);
    await expect(makeOpener(generateSealingKeyPair().privateKey).open(sealed, aad)).rejects.toThrow('does not open');
    await expect(opener.open(sealed, secretAad('7d3c1a52-0000-4000-8000-000000000001', 'OTHER'))).rejects.toThrow('does not open');
    await expect(opener.open(sealed, secretAad('7d3c1a52-0000-4000-8000-000000000002', 'DB_PASSWORD'))).rejects.toThrow('does not open');
    for (const at of [0, 31, 32, sealed.length - 1]) {
      const flipped = Uint8Array.from(sealed);
      flipped[at] = (flipped[at] ?? 0) ^ 1;
      await expect(opener.open(flipped, aad), `byte ${at}`).rejects.toThrow('does not open');
    }
    await expect(opener.open(sealed.subarray(0, 40), aad)).rejects.toThrow('not a sealed value');
  });

  it('says clearly that a key is malformed, without showing it', () => {
    const secret = randomBytes(16).toString('base64');
    expect(() => makeSealer(secret)).toThrow('the sealing public key must be a raw X25519 key: 32 bytes in base64');
    expect(() => makeOpener('not base64 at all!')).toThrow('the sealing private key must be a raw X25519 key');
    expect(() => makeOpener(secret)).not.toThrow(secret);
    expect(() => publicKeyOf('')).toThrow('32 bytes in base64');
  });

  it('binds a secret to its project and name', () => {
    expect(secretAad('p1', 'TOKEN')).toBe('trellis.secret.v1:p1:TOKEN');
  });
});
