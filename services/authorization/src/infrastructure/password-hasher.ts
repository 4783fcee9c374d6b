import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { PasswordHasher } from '../application/ports.js';

const KEY_LENGTH = 32;
// N=2^15, r=8, p=1: about 32 MiB and a few tens of ms per hash on our 2-core machines.
const COST = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** scrypt, stored as `scrypt$N$r$p$salt$key` so the cost can grow without breaking old hashes. */
export function makeScryptHasher(cost: { N: number; r: number; p: number } = COST): PasswordHasher {
  return {
    hash: async (password) => {
      const salt = randomBytes(16);
      const key = await derive(password, salt, { ...cost, maxmem: COST.maxmem });
      return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
    },
    verify: async (password, stored) => {
      const [scheme, n, r, p, salt, key] = stored.split('$');
      if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
      const expected = Buffer.from(key, 'base64');
      const actual = await derive(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p), maxmem: COST.maxmem });
      return expected.length === actual.length && timingSafeEqual(expected, actual);
    },
    spend: async (password) => {
      await derive(password, randomBytes(16), { ...cost, maxmem: COST.maxmem });
    },
  };
}
