import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { postgresPasswordMatches, rabbitPasswordMatches, scramSha256Verifier } from './password-hashes.js';

describe('password verifiers', () => {
  it('checks a SCRAM-SHA-256 verifier it made', () => {
    const verifier = scramSha256Verifier('s3cret');
    expect(verifier).toMatch(/^SCRAM-SHA-256\$4096:[^$]+\$[^:]+:.+$/);
    expect(postgresPasswordMatches(verifier, 'role', 's3cret')).toBe(true);
    expect(postgresPasswordMatches(verifier, 'role', 's3cret!')).toBe(false);
  });

  it('checks PostgreSQL md5 passwords and treats anything else as unknown', () => {
    const md5 = `md5${createHash('md5').update('pwrole').digest('hex')}`;
    expect(postgresPasswordMatches(md5, 'role', 'pw')).toBe(true);
    expect(postgresPasswordMatches(md5, 'other', 'pw')).toBe(false);
    expect(postgresPasswordMatches(null, 'role', 'pw')).toBe(false);
    expect(postgresPasswordMatches(scramSha256Verifier('pässword'), 'role', 'pässword')).toBe(false);
  });

  it("checks RabbitMQ's salted sha256 hashes", () => {
    const salt = randomBytes(4);
    const hash = Buffer.concat([salt, createHash('sha256').update(Buffer.concat([salt, Buffer.from('guest')])).digest()]).toString('base64');
    expect(rabbitPasswordMatches(hash, 'rabbit_password_hashing_sha256', 'guest')).toBe(true);
    expect(rabbitPasswordMatches(hash, 'rabbit_password_hashing_sha256', 'guest2')).toBe(false);
    expect(rabbitPasswordMatches(hash, 'something_else', 'guest')).toBe(false);
  });
});
