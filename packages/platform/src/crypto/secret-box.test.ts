import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeSecretBox } from './secret-box.js';

describe('the secret box', () => {
  const box = makeSecretBox(randomBytes(32));

  it('opens what it sealed, for the same context only', () => {
    const sealed = box.seal('hunter2 and more', 'row-1');
    expect(sealed).not.toContain('hunter2');
    expect(box.open(sealed, 'row-1')).toBe('hunter2 and more');
    expect(() => box.open(sealed, 'row-2')).toThrow();
  });

  it('refuses another key, a tampered value and garbage', () => {
    const sealed = box.seal('secret', 'ctx');
    expect(() => makeSecretBox(randomBytes(32)).open(sealed, 'ctx')).toThrow();
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3] ?? '', 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => box.open([parts[0], parts[1], parts[2], flipped.toString('base64url')].join('.'), 'ctx')).toThrow();
    expect(() => box.open('not sealed', 'ctx')).toThrow('not a sealed value');
  });

  it('seals the same value differently each time', () => {
    expect(box.seal('same', 'ctx')).not.toBe(box.seal('same', 'ctx'));
  });

  it('needs a 32-byte key', () => {
    expect(() => makeSecretBox(randomBytes(16))).toThrow();
  });
});
