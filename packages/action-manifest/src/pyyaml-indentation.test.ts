import { describe, expect, it } from 'vitest';
import { reindentContinuations } from './pyyaml-indentation.js';

describe('reindentContinuations', () => {
  it.each([
    ['a quoted value continued at its key', 'a:\n  d: "one\n  two"\n', 'a:\n  d: "one\n     two"\n', [[3, 3]]],
    ['each line of a longer one', 'a:\n  d: "one\n  two\nthree"\n', 'a:\n  d: "one\n     two\n     three"\n', [[3, 3], [4, 5]]],
    ['a single-quoted one', "a:\n  d: 'it''s\n  two'\n", "a:\n  d: 'it''s\n     two'\n", [[3, 3]]],
    ['a flow collection, to its opening bracket', 'a:\n  r: {b: 1,\n  c: 2}\n', 'a:\n  r: {b: 1,\n     c: 2}\n', [[3, 3]]],
    ['nothing when indented enough', 'a:\n  d: "one\n     two"\n', 'a:\n  d: "one\n     two"\n', []],
    ['nothing for a plain value', 'a:\n  d: one\n  two\n', 'a:\n  d: one\n  two\n', []],
    ['nothing for a quote never closed', 'a:\n  d: "one\n  two\n', 'a:\n  d: "one\n  two\n', []],
    ['nothing for a document marker', 'a:\n  d: "one\n---\n  two"\n', 'a:\n  d: "one\n---\n  two"\n', []],
  ])('re-indents %s', (_title, text, expected, added) => {
    const result = reindentContinuations(text);
    expect(result.text).toBe(expected);
    expect([...result.added]).toEqual(added);
  });
});
