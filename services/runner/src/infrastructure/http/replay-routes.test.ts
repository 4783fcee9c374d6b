import { describe, expect, it } from 'vitest';
import { secretInputs } from './replay-routes.js';

describe('the inputs a replay never sends', () => {
  const declared = [{ name: 'key', type: 'password' }, { name: 'header', type: 'string' }, { name: 'text', type: 'string' }];

  it.each([
    ['a password input, whatever made it', { key: 'typed by a caller', text: 'hi' }, { key: '${{ trigger.pin }}', text: 'hi' }, ['key']],
    ['a string built with a secret (recorded as [secret])', { header: '[secret]', text: 'hi' }, { header: 'Bearer ${{ secrets.API_TOKEN }}', text: '${{ trigger.text }}' }, ['header']],
    ['a password left out is not named', { text: 'hi' }, { text: 'hi' }, []],
    ['plain values stay', { text: '${{ not a template' }, { text: 'plain' }, []],
  ])('%s', (_case, recorded, templates, secret) => {
    expect(secretInputs(recorded, templates, declared)).toEqual(secret);
  });
});
