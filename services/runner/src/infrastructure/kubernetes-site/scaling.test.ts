import { describe, expect, it } from 'vitest';
import { replicasFor, scaleDownTo, scaleUpTo } from './scaling.js';

const demand = { target: 4, max: 3 };

describe('replicas from calls in flight', () => {
  it.each([
    [0, 1], [1, 1], [4, 1], [5, 2], [8, 2], [9, 3], [100, 3],
  ])('%i calls want %i replicas', (calls, replicas) => {
    expect(replicasFor(calls, demand)).toBe(replicas);
  });

  it.each([
    // current, in flight, scale to
    [1, 4, undefined], [1, 5, 2], [2, 9, 3], [3, 50, undefined], [0, 1, 1], [2, 1, undefined],
  ])('with %i replicas and %i calls in flight it scales up to %s', (current, inFlight, to) => {
    expect(scaleUpTo(current, inFlight, demand)).toBe(to);
  });

  it.each([
    // current, peak of the window, scale to
    [3, 9, undefined], [3, 8, 2], [3, 0, 1], [2, 5, undefined], [1, 0, undefined], [0, 0, undefined],
  ])('with %i replicas and a peak of %i calls it scales down to %s', (current, peak, to) => {
    expect(scaleDownTo(current, peak, demand)).toBe(to);
  });
});
