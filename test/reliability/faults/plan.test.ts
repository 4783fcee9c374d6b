import { describe, expect, it } from 'vitest';
import type { Fault } from './catalog.js';
import { faultPlan } from './plan.js';

const catalog: Fault[] = ['a', 'b', 'c'].map((name) => ({ name, inject: async () => undefined }));
const total = (plan: ReturnType<typeof faultPlan>) => plan.reduce((sum, step) => sum + step.runs, 0);

describe('faultPlan', () => {
  it('short: each fault once, the runs shared among them, all started', () => {
    const plan = faultPlan(catalog, 100, { random: false, randomBatch: 25 });
    expect(plan.map((step) => step.fault.name)).toEqual(['a', 'b', 'c']);
    expect(plan.map((step) => step.runs)).toEqual([34, 33, 33]);
  });

  it('full: each fault once first, then drawn at random until every run is started', () => {
    const draws = [0.9, 0.1, 0.5];
    let i = 0;
    const plan = faultPlan(catalog, 150, { random: true, randomBatch: 25, draw: () => draws[i++ % draws.length] ?? 0 });
    expect(plan.slice(0, 3).map((step) => step.fault.name)).toEqual(['a', 'b', 'c']);
    expect(plan.slice(3).map((step) => step.fault.name)).toEqual(['c', 'a', 'b']);
    expect(plan.map((step) => step.runs)).toEqual([25, 25, 25, 25, 25, 25]);
    expect(total(plan)).toBe(150);
  });
});
