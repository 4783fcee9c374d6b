import { afterAll, describe, expect, it } from 'vitest';
import { cleanUpRuns, runStandardAction } from './support/run-action.js';

afterAll(cleanUpRuns);

const order = {
  customer: { name: 'Ada', country: 'FR' },
  items: [
    { sku: 'a', price: 10, qty: 2 },
    { sku: 'b', price: 3.5, qty: 4 },
    { sku: 'c', price: 40, qty: 1 },
  ],
};

describe('transform', () => {
  it('reshapes JSON: filters, maps, sums', async () => {
    const run = await runStandardAction('transform', {
      data: order,
      expression: '{ "who": customer.name, "big": items[price >= 10].sku, "total": $sum(items.(price * qty)) }',
    });
    expect(run.error).toBeNull();
    expect(run.outputs.result).toEqual({ who: 'Ada', big: ['a', 'c'], total: 74 });
  });

  it('reads bindings as variables and gives null when nothing matches', async () => {
    const withRate = await runStandardAction('transform', { data: order, expression: '$sum(items.price) * $rate', bindings: { rate: 2 } });
    expect(withRate.outputs.result).toBe(107);
    const nothing = await runStandardAction('transform', { data: order, expression: 'items[price > 1000]' });
    expect(nothing.error).toBeNull();
    expect(nothing.outputs.result).toBeNull();
  });

  it('reports a syntax error as bad_expression with its position', async () => {
    const run = await runStandardAction('transform', { data: order, expression: 'items[price >\n  10' });
    expect(run.error?.code).toBe('bad_expression');
    expect(run.error?.message).toMatch(/line 2, column \d+/);
  });

  it('reports an evaluation error as evaluation_failed', async () => {
    const run = await runStandardAction('transform', { data: order, expression: 'customer.name + 1' });
    expect(run.error?.code).toBe('evaluation_failed');
    expect(run.error?.message).toContain('character');
  });

  it('stops an endless loop and a catastrophic regular expression with evaluation_timeout', async () => {
    const started = Date.now();
    const loop = await runStandardAction('transform', { data: {}, expression: '($f := function($x) { $f($x) }; $f(1))', timeout_ms: 300 });
    expect(loop.error?.code).toBe('evaluation_timeout');
    // A backtracking regular expression never returns to JSONata's own check: the worker is stopped.
    const regex = await runStandardAction('transform', { data: {}, expression: '$match("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", /(a+)+$/)', timeout_ms: 300 });
    expect(regex.error?.code).toBe('evaluation_timeout');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses deep recursion and huge sequences with evaluation_failed', async () => {
    const deep = await runStandardAction('transform', { data: {}, expression: '($f := function($x) { 1 + $f($x) }; $f(1))' });
    expect(deep.error?.code).toBe('evaluation_failed');
    expect(deep.error?.message).toContain('deeper than');
    const huge = await runStandardAction('transform', { data: {}, expression: '[1..5000000]' });
    expect(huge.error?.code).toBe('evaluation_failed');
    expect(huge.error?.message).toContain('sequence');
  });

  it('has no way to run code', async () => {
    // $eval evaluates JSONata, not JavaScript: require is no function here.
    const run = await runStandardAction('transform', { data: {}, expression: '$eval("require(\'child_process\')")' });
    expect(run.error?.code).toBe('evaluation_failed');
    const constructor = await runStandardAction('transform', { data: {}, expression: '$string.constructor' });
    expect(constructor.outputs.result ?? null).toBeNull();
  });
});
