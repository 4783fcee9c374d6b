import type { Fault } from './catalog.js';

export type Step = { fault: Fault; runs: number };

/**
 * Each fault once, with an even share of the runs started just before it; when runs are left
 * (the full scale), faults drawn at random, `randomBatch` runs before each, until all are started.
 */
export function faultPlan(catalog: readonly Fault[], runs: number, options: { random: boolean; randomBatch: number; draw?: () => number }): Step[] {
  const draw = options.draw ?? Math.random;
  // Shared evenly (100 over 12 faults: 9 or 8 each), at most a batch each when faults come at random after.
  const even = (i: number) => Math.floor(runs / catalog.length) + (i < runs % catalog.length ? 1 : 0);
  const plan: Step[] = [];
  let left = runs;
  for (const [i, fault] of catalog.entries()) {
    const share = Math.min(options.random ? Math.min(options.randomBatch, even(i)) : even(i), left);
    plan.push({ fault, runs: share });
    left -= share;
  }
  while (options.random && left > 0) {
    const fault = catalog[Math.floor(draw() * catalog.length)] ?? catalog[0];
    if (!fault) break;
    const share = Math.min(options.randomBatch, left);
    plan.push({ fault, runs: share });
    left -= share;
  }
  return plan;
}
