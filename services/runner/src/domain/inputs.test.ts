import type { IoSpec, JsonValue } from '@trellis/kernel/io';
import { parseTemplate, type Template } from '@trellis/workflow-language/template';
import { describe, expect, it } from 'vitest';
import * as Inputs from './inputs.js';

const SECRET = 's3cr3t-value';

function template(value: JsonValue): Template {
  const parsed = parseTemplate(value);
  if (!parsed.ok) throw new Error('bad template in test');
  return parsed.template;
}

const spec = (name: string, type: string, extra: Partial<IoSpec> = {}): IoSpec => ({ name, type, help: '', optional: false, ...extra });

/** A step with the given input values and declarations. */
const aStep = (inputs: Record<string, JsonValue>, declaredInputs: IoSpec[]) => ({
  inputs: new Map(Object.entries(inputs).map(([name, value]) => [name, template(value)])),
  declaredInputs,
});

const opened: string[] = [];
const scope: Inputs.Scope = {
  trigger: { n: 1, order: { lines: [{ sku: 'A-1' }] }, email: 'x@example.com' },
  steps: new Map<string, Inputs.StepValues | null>([
    ['fetch', { status: 200, body: { 'content-type': 'text/plain' }, ratio: 0.5, tags: ['a', 'b'] }],
    ['skipped', null],
  ]),
  variables: new Map<string, JsonValue>([['REGION', 'eu'], ['LIMITS', { max: 10 }]]),
  secret: (name) => {
    opened.push(name);
    return name === 'TOKEN' ? SECRET : undefined;
  },
  item: { id: 7 },
  failure: { step: 'pay', error: { code: 'declined', message: 'no' } },
};

describe('Inputs.resolveInputs: every kind of reference', () => {
  it.each([
    ['a literal', 42, spec('v', 'integer'), 42],
    ['a trigger output', '${{ trigger.n }}', spec('v', 'integer'), 1],
    ['a member deep in a trigger output', '${{ trigger.order.lines[0].sku }}', spec('v', 'string'), 'A-1'],
    ['an upstream output', '${{ steps.fetch.status }}', spec('v', 'integer'), 200],
    ['a quoted member of an upstream output', "${{ steps.fetch.body['content-type'] }}", spec('v', 'string'), 'text/plain'],
    ['a skipped step: null, so the default', '${{ steps.skipped.n }}', spec('v', 'integer', { default: 5 }), 5],
    ['a variable', '${{ vars.REGION }}', spec('v', 'string'), 'eu'],
    ['a member of a variable', '${{ vars.LIMITS.max }}', spec('v', 'integer'), 10],
    ['a secret', '${{ secrets.TOKEN }}', spec('v', 'password'), SECRET],
    ['the foreach item', '${{ item.id }}', spec('v', 'integer'), 7],
    ["a compensation's failure", '${{ failure.error.code }}', spec('v', 'string'), 'declined'],
    ['an interpolation', 'thumb-${{ trigger.n }}-${{ vars.REGION }}.png', spec('v', 'string'), 'thumb-1-eu.png'],
    ['a structure', { to: ['${{ trigger.email }}', 'admin@example.com'], n: '${{ trigger.n }}' }, spec('v', 'json'), { to: ['x@example.com', 'admin@example.com'], n: 1 }],
    ['an expression', "${{ steps.fetch.status == 200 ? 'ok' : 'ko' }}", spec('v', 'enum', { values: ['ok', 'ko'] }), 'ok'],
    ['an integer filling a float', '${{ trigger.n }}', spec('v', 'float'), 1],
    ['a number filling a string: its JSON text', '${{ steps.fetch.ratio }}', spec('v', 'string'), '0.5'],
    ['a list filling a longstring: its JSON text', '${{ steps.fetch.tags }}', spec('v', 'longstring'), '["a","b"]'],
    ['an optional trigger output the caller left out: null, so the default', '${{ trigger.absent }}', spec('v', 'integer', { default: 3 }), 3],
    ['a file value passes as it is', { file: 'f-1' }, spec('v', 'file'), { file: 'f-1' }],
  ] as [string, JsonValue, IoSpec, JsonValue][])('%s', (_name, value, declared, expected) => {
    const resolved = Inputs.resolveInputs(aStep({ v: value }, [declared]), scope);
    expect(resolved).toEqual({ ok: true, value: { v: expected } });
  });
});

describe('Inputs.resolveInputs: defaults and inputs left out', () => {
  it('fills declared defaults, leaves out optional, secret-default and platform-set inputs, keeps declaration order', () => {
    const resolved = Inputs.resolveInputs(
      aStep({ b: '${{ trigger.n }}', a: 'x' }, [
        spec('a', 'string'), spec('b', 'integer'), spec('size', 'integer', { default: 200 }), spec('note', 'string', { optional: true }),
        spec('key', 'password', { hasSecretDefault: true }), spec('http_port', 'integer', { injected: 'http_port' }),
      ]),
      scope,
    );
    expect(resolved).toEqual({ ok: true, value: { a: 'x', b: 1, size: 200 } });
    if (resolved.ok) expect(Object.keys(resolved.value)).toEqual(['a', 'b', 'size']);
  });

  it('a null value of an optional input is left out', () => {
    expect(Inputs.resolveInputs(aStep({ note: '${{ steps.skipped.n }}' }, [spec('note', 'string', { optional: true })]), scope)).toEqual({ ok: true, value: {} });
  });

  it('an input called __proto__ stays an input', () => {
    const resolved = Inputs.resolveInputs(aStep(JSON.parse('{"__proto__": 1}') as Record<string, JsonValue>, [spec('__proto__', 'integer')]), scope);
    expect(resolved.ok && Object.hasOwn(resolved.value, '__proto__')).toBe(true);
  });
});

describe('Inputs.resolveInputs: what fails, naming the input', () => {
  it.each([
    ['a float into an integer', { v: '${{ steps.fetch.ratio }}' }, [spec('v', 'integer')], 'type_mismatch', 'v is integer: an integer input needs a whole number, not the number 0.5'],
    ['a value not among the enum values', { v: '${{ vars.REGION }}' }, [spec('v', 'enum', { values: ['us'] })], 'type_mismatch', "v is enum: 'eu' is not one of the enum's values (us)"],
    ['a list into a boolean', { v: '${{ steps.fetch.tags }}' }, [spec('v', 'boolean')], 'type_mismatch', 'v is boolean: a boolean input needs true or false, not a list'],
    ['a required input without a value', {}, [spec('v', 'integer')], 'required_input_missing', 'v (integer) is required and has no value'],
    ['a required input given null (a skipped step)', { v: '${{ steps.skipped.n }}' }, [spec('v', 'integer')], 'required_input_missing', 'v (integer) is required and has no value'],
    ['a missing member deep in a value', { v: '${{ steps.fetch.body.nope.deeper }}' }, [spec('v', 'json')], 'reference_missing', 'v: steps.fetch.body.nope.deeper is missing'],
    ['a step that has not finished', { v: '${{ steps.later.n }}' }, [spec('v', 'json')], 'reference_missing', 'v: steps.later.n is missing'],
    ['an unknown variable', { v: '${{ vars.NOPE }}' }, [spec('v', 'json')], 'reference_missing', 'v: vars.NOPE is missing'],
    ['a missing secret', { v: '${{ secrets.GONE }}' }, [spec('v', 'password')], 'secret_missing', 'v: the project has no secret GONE'],
    ['a type error in an expression', { v: '${{ trigger.n and true }}' }, [spec('v', 'boolean')], 'type_error', 'v: "and" needs true or false, not a number'],
    ['an input the action does not have', { w: 1 }, [], 'unknown_input', 'w: the action has no input w that a step may set'],
    ['an input the platform sets', { http_port: 1 }, [spec('http_port', 'integer', { injected: 'http_port' })], 'unknown_input', 'http_port: the action has no input http_port that a step may set'],
  ] as [string, Record<string, JsonValue>, IoSpec[], string, string][])('%s', (_name, inputs, declared, code, message) => {
    const resolved = Inputs.resolveInputs(aStep(inputs, declared), scope);
    expect(resolved).toEqual({ ok: false, error: { code: 'invalid_inputs', message, problems: [{ input: Object.keys(inputs)[0] ?? declared[0]?.name, code, message }] } });
  });

  it('names every bad input at once', () => {
    const resolved = Inputs.resolveInputs(aStep({ a: '${{ vars.NOPE }}', b: 'text' }, [spec('a', 'json'), spec('b', 'integer'), spec('c', 'boolean')]), scope);
    expect(resolved.ok ? [] : resolved.error.problems.map((problem) => [problem.input, problem.code])).toEqual([['a', 'reference_missing'], ['b', 'type_mismatch'], ['c', 'required_input_missing']]);
  });

  it("never puts a secret's value in an error", () => {
    const resolved = Inputs.resolveInputs(aStep({ v: 'x-${{ secrets.TOKEN }}', w: '${{ secrets.TOKEN }}' }, [spec('v', 'enum', { values: ['a'] }), spec('w', 'integer')]), scope);
    expect(resolved.ok).toBe(false);
    expect(JSON.stringify(resolved)).not.toContain(SECRET);
    if (!resolved.ok) expect(resolved.error.problems.map((problem) => problem.message)).toEqual([
      'v is enum and the value made with a secret is a string that does not fit it',
      'w is integer and the value made with a secret is a string that does not fit it',
    ]);
  });

  it('opens only the secrets a template references', () => {
    opened.length = 0;
    Inputs.resolveInputs(aStep({ v: '${{ secrets.TOKEN }}', w: '${{ trigger.n }}' }, [spec('v', 'password'), spec('w', 'integer')]), scope);
    expect(opened).toEqual(['TOKEN']);
  });
});

describe('Inputs.renderResults', () => {
  const results = (values: Record<string, JsonValue>) => ({ results: new Map(Object.entries(values).map(([name, value]) => [name, template(value)])) });

  it('renders every result; a reference to a skipped step gives null', () => {
    expect(Inputs.renderResults(results({ status: '${{ steps.fetch.status }}', gone: '${{ steps.skipped.n }}', deep: '${{ steps.skipped.n.x }}', fixed: [1] }), scope))
      .toEqual({ ok: true, value: { status: 200, gone: null, deep: null, fixed: [1] } });
  });

  it('never opens a secret, and names each result that fails', () => {
    opened.length = 0;
    const rendered = Inputs.renderResults(results({ token: '${{ secrets.TOKEN }}', bad: '${{ steps.fetch.nope.x }}' }), scope);
    expect(opened).toEqual([]);
    expect(rendered.ok ? [] : rendered.error.problems.map((problem) => [problem.result, problem.code])).toEqual([['token', 'reference_missing'], ['bad', 'reference_missing']]);
  });
});

describe('Inputs.evaluateCondition', () => {
  it.each([
    ['true', '${{ steps.fetch.status == 200 }}', { ok: true, value: true }],
    ['false', "${{ vars.REGION == 'us' }}", { ok: true, value: false }],
    ['a skipped step reads as null', '${{ steps.skipped.n == null }}', { ok: true, value: true }],
    ['not a boolean', '${{ trigger.n }}', { ok: false, error: { code: 'condition_not_boolean', message: 'when: the condition gave a number, not true or false' } }],
    ['a missing reference', '${{ steps.fetch.nope.x }}', { ok: false, error: { code: 'condition_failed', message: 'when: steps.fetch.nope.x is missing' } }],
  ] as [string, JsonValue, object][])('%s', (_name, value, expected) => {
    expect(Inputs.evaluateCondition(template(value), scope)).toEqual(expected);
  });
});
