import { describe, expect, it } from 'vitest';
import { maskSecretsIn } from './secret-mask.js';

const SECRET = 'Sekr3t/+=&?%"zq';

describe('maskSecretsIn', () => {
  it.each([
    ['plain', `the token is ${SECRET}.`, 'the token is ***.'],
    ['base64', `b64 ${Buffer.from(SECRET).toString('base64')}`, 'b64 ***'],
    ['base64url', `b64url ${Buffer.from(SECRET).toString('base64url')}`, 'b64url ***'],
    ['URL-encoded', `url ${encodeURIComponent(SECRET)}`, 'url ***'],
    ['twice, among other text', `${SECRET}${SECRET} and more`, '****** and more'],
    ['nothing to mask', 'a quiet line', 'a quiet line'],
  ])('masks a secret printed %s', (_, text, expected) => {
    expect(maskSecretsIn(text, [SECRET])).toBe(expected);
  });

  it('leaves values too short to mean anything', () => {
    expect(maskSecretsIn('1 2 3 abc', ['1', 'abc'])).toBe('1 2 3 abc');
  });

  it('masks non-ASCII secrets in every form', () => {
    const secret = 'mötörhead-☃-key';
    expect(maskSecretsIn(`${secret} ${Buffer.from(secret).toString('base64')} ${encodeURIComponent(secret)}`, [secret])).toBe('*** *** ***');
  });
});
