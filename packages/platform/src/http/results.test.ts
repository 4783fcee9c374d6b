import { describe, expect, it } from 'vitest';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import { HttpProblem } from './problem.js';
import { valueOr } from './results.js';

type Rejection = { type: 'NameTaken' } | { type: 'NotFound'; id: string };
const problemOf = (rejection: Rejection): HttpProblem => {
  switch (rejection.type) {
    case 'NameTaken':
      return new HttpProblem(409, 'name_taken', 'Name taken');
    case 'NotFound':
      return new HttpProblem(404, 'not_found', 'Not found', `No ${rejection.id}.`);
  }
};

describe('valueOr', () => {
  it('gives the value of a success', () => {
    expect(valueOr<number, Rejection>(ok(3), problemOf)).toBe(3);
  });

  it('throws the problem a rejection maps to', () => {
    const result: Result<number, Rejection> = rejected({ type: 'NotFound', id: 'w1' });
    expect(() => valueOr(result, problemOf)).toThrow(expect.objectContaining({ status: 404, code: 'not_found', detail: 'No w1.' }));
  });
});
