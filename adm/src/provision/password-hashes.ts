import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Password verifiers as PostgreSQL and RabbitMQ store them. Knowing them lets provisioning
 * check whether a stored password already matches (so a second run changes nothing) and send
 * PostgreSQL a verifier instead of the clear password (so it never shows in a server log).
 */

/** SASLprep is the identity on printable ASCII, the only passwords hashed here. */
export function isPrintableAscii(password: string): boolean {
  return /^[\x20-\x7e]*$/.test(password);
}

function scramKeys(password: string, salt: Buffer, iterations: number): { storedKey: Buffer; serverKey: Buffer } {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  return {
    storedKey: createHash('sha256').update(clientKey).digest(),
    serverKey: createHmac('sha256', salted).update('Server Key').digest(),
  };
}

/** `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, the format of pg_authid.rolpassword. */
export function scramSha256Verifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const { storedKey, serverKey } = scramKeys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether pg_authid.rolpassword (SCRAM or md5) is the verifier of `password`; false when unknown. */
export function postgresPasswordMatches(stored: string | null, role: string, password: string): boolean {
  if (!stored || !isPrintableAscii(password)) return false;
  const scram = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(stored);
  if (scram) {
    const [, iterations, salt, storedKey, serverKey] = scram as unknown as [string, string, string, string, string];
    const keys = scramKeys(password, Buffer.from(salt, 'base64'), Number(iterations));
    return sameBytes(keys.storedKey, Buffer.from(storedKey, 'base64')) && sameBytes(keys.serverKey, Buffer.from(serverKey, 'base64'));
  }
  if (stored.startsWith('md5')) {
    return stored === `md5${createHash('md5').update(password + role).digest('hex')}`;
  }
  return false;
}

/** RabbitMQ's internal hashes: base64(salt[4] ++ H(salt ++ password)). */
export function rabbitPasswordMatches(passwordHash: string, algorithm: string, password: string): boolean {
  const digest = ({ rabbit_password_hashing_sha256: 'sha256', rabbit_password_hashing_sha512: 'sha512', rabbit_password_hashing_md5: 'md5' } as Record<string, string>)[algorithm];
  if (!digest || !passwordHash) return false;
  const bytes = Buffer.from(passwordHash, 'base64');
  const salt = bytes.subarray(0, 4);
  const expected = createHash(digest).update(Buffer.concat([salt, Buffer.from(password, 'utf8')])).digest();
  return sameBytes(bytes.subarray(4), expected);
}
