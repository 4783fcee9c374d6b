import { describe, expect, it } from 'vitest';
import { suggest } from './suggest.js';

describe('suggest', () => {
  it.each([
    ['inptus', 'inputs'],
    ['ouputs', 'outputs'],
    ['Kind', 'kind'],
    ['node', 'nodejs'],
    ['resource', 'resources'],
    ['colour', undefined],
    ['ab', undefined],
  ])('%s → %s', (word, expected) => {
    expect(suggest(word, ['apiVersion', 'kind', 'id', 'inputs', 'outputs', 'resources', 'nodejs', 'python'])).toBe(expected);
  });
});
