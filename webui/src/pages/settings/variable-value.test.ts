import { describe, expect, it } from 'vitest';
import { parseValueText, valueSummary, valueText } from './variable-value.js';

describe('a variable\'s value in the Value field', () => {
  it.each([
    ['https://example.com', 'https://example.com'],
    ['3', 3],
    ['true', true],
    ['["a", 1]', ['a', 1]],
    ['{"attempts": 3}', { attempts: 3 }],
    ['"3"', '3'],
    ['null', 'null'],
    ['not { json', 'not { json'],
    ['   ', undefined],
  ])('reads %j as %j', (text, value) => {
    expect(parseValueText(text)).toEqual(value);
  });

  it.each([['plain text'], ['3'], ['true'], ['null'], [3], [false], [['a']], [{ nested: { list: [1, 2] } }], ['{"looks": "like json"}']])(
    'keeps %j as it was when edited and saved unchanged', (value) => {
      expect(parseValueText(valueText(value))).toEqual(value);
    });

  it('shows text as it is and anything else as JSON in the table', () => {
    expect(valueSummary('https://example.com')).toBe('https://example.com');
    expect(valueSummary({ a: [1] })).toBe('{"a":[1]}');
  });
});
