import type { IoSpec, JsonValue } from '@trellis/kernel/io';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import { valueAt, type Reference, type Resolve } from '@trellis/workflow-language/expression';
import { render, templateReferences, type Template } from '@trellis/workflow-language/template';
import { isIoType, staticFits } from '@trellis/workflow-language/value-types';
import type { Plan, PlanStep } from './plan.js';

/*
 * The values a step is called with, and the values a run gives back, rendered from the run's
 * scope: the trigger's outputs, the outputs of finished steps, project variables and secrets.
 *
 * - `${{ steps.X.out }}` of a skipped step X is null (and so is any member of it).
 * - A trigger or step output left out (an optional input the caller did not send, an optional
 *   output the action did not give) is null; a missing member deeper in a value is an error.
 * - A null value means "no value": the input's declared default, or nothing for an optional
 *   input; a required input without a value is an error.
 * - Declared inputs the step leaves out take their declared default; an input with a secret
 *   default or set by the platform is left to the wrapper.
 * - Each value is checked against its declared type (`staticFits`); string and longstring inputs
 *   take any non-text value of a reference as its JSON text, as studio's types promise. File and
 *   directory values pass as they are: their form in a run (stored objects, presigned URLs)
 *   belongs to the engine's file handling.
 * - Secrets are opened one by one, only when a template references them, and only for action
 *   inputs; no message ever holds a secret's value (a value built with a secret is described by
 *   its kind only).
 */

/** A step's outputs as recorded. */
export type StepValues = Readonly<Record<string, JsonValue>>;

export type Scope = {
  readonly trigger: Readonly<Record<string, JsonValue>>;
  /** Outputs of the steps that finished; null for a skipped step. A step absent here has no values (yet). */
  readonly steps: ReadonlyMap<string, StepValues | null>;
  readonly variables: ReadonlyMap<string, JsonValue>;
  /** Opens one secret; undefined when the project has none of that name. */
  readonly secret: (name: string) => string | undefined;
  /** The current item of a foreach step. */
  readonly item?: JsonValue;
  /** What a failure left, in a compensation step. */
  readonly failure?: JsonValue;
};

export type ValueProblemCode = 'reference_missing' | 'type_error' | 'secret_missing' | 'type_mismatch' | 'required_input_missing' | 'unknown_input';

export type InputProblem = { readonly input: string; readonly code: ValueProblemCode; readonly message: string };
export type InputError = { readonly code: 'invalid_inputs'; readonly message: string; readonly problems: readonly InputProblem[] };

export type ResultProblem = { readonly result: string; readonly code: ValueProblemCode; readonly message: string };
export type ResultsError = { readonly code: 'invalid_results'; readonly message: string; readonly problems: readonly ResultProblem[] };

export type ConditionError = { readonly code: 'condition_failed' | 'condition_not_boolean'; readonly message: string };

/** A top-level name absent from a record of values: null (an optional value left out). */
function member(values: JsonValue, path: Reference['path']): ReturnType<Resolve> {
  const [name, ...deeper] = path;
  if (typeof name !== 'string') return { found: false };
  if (typeof values !== 'object' || values === null || Array.isArray(values) || !Object.hasOwn(values, name)) {
    return deeper.length === 0 ? { found: true, value: null } : { found: false };
  }
  return valueAt(values, path);
}

type Resolver = { readonly resolve: Resolve; readonly missingSecrets: () => readonly string[] };

function resolverOf(scope: Scope, secrets: boolean): Resolver {
  const missing: string[] = [];
  const resolve: Resolve = (reference) => {
    const [first, ...rest] = reference.path;
    switch (reference.root) {
      case 'trigger':
        return member(scope.trigger, reference.path);
      case 'steps': {
        if (typeof first !== 'string') return { found: false };
        const outputs = scope.steps.get(first);
        if (outputs === undefined) return { found: false };
        return outputs === null ? { found: true, value: null } : member(outputs, rest);
      }
      case 'vars': {
        if (typeof first !== 'string') return { found: false };
        const value = scope.variables.get(first);
        return value === undefined ? { found: false } : valueAt(value, rest);
      }
      case 'secrets': {
        if (!secrets || typeof first !== 'string' || rest.length > 0) return { found: false };
        const value = scope.secret(first);
        if (value === undefined) missing.push(first);
        return value === undefined ? { found: false } : { found: true, value };
      }
      case 'item':
        return scope.item === undefined ? { found: false } : valueAt(scope.item, reference.path);
      case 'failure':
        return scope.failure === undefined ? { found: false } : valueAt(scope.failure, reference.path);
    }
  };
  return { resolve, missingSecrets: () => missing };
}

type Rendered = { ok: true; value: JsonValue } | { ok: false; code: ValueProblemCode; message: string };

function renderValue(template: Template, scope: Scope, secrets: boolean): Rendered {
  const resolver = resolverOf(scope, secrets);
  const result = render(template, resolver.resolve);
  if (result.ok) return result;
  const [secret] = resolver.missingSecrets();
  if (secret !== undefined) return { ok: false, code: 'secret_missing', message: `the project has no secret ${secret}` };
  return { ok: false, code: result.code, message: result.message };
}

const usesSecrets = (template: Template): boolean => templateReferences(template).some((reference) => reference.root === 'secrets');

/** 'a string', 'a number', ... : how a value built with a secret is described. */
function kindOf(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** The value checked (and coerced to text where the types promise it) against its declaration. */
function fitted(value: JsonValue, spec: IoSpec, template: Template): { ok: true; value: JsonValue } | { ok: false; message: string } {
  if (!isIoType(spec.type)) return { ok: true, value }; // a type this runner does not know: the wrapper checks it
  const type = spec.type;
  if (type === 'file' || type === 'directory') return { ok: true, value };
  let given = value;
  if ((type === 'string' || type === 'longstring') && typeof value !== 'string' && template.kind !== 'literal') given = JSON.stringify(value);
  const fit = staticFits(given, { type, ...(spec.values ? { values: spec.values } : {}) });
  if (fit.ok) return { ok: true, value: given };
  if (usesSecrets(template)) return { ok: false, message: `${spec.name} is ${type} and the value made with a secret is ${kindOf(given)} that does not fit it` };
  return { ok: false, message: `${spec.name} is ${type}: ${fit.reason}` };
}

function joinProblems(problems: readonly { readonly message: string }[]): string {
  return problems.map((problem) => problem.message).join('; ');
}

/**
 * The inputs to call `step`'s action with: every given input rendered, checked against its
 * declared type, plus the declared defaults of those left out. All problems at once, each naming
 * its input.
 */
export function resolveInputs(step: Pick<PlanStep, 'inputs' | 'declaredInputs'>, scope: Scope): Result<Record<string, JsonValue>, InputError> {
  const declared = new Map(step.declaredInputs.map((spec) => [spec.name, spec]));
  const problems: InputProblem[] = [];
  const given = new Map<string, JsonValue>();
  for (const [name, template] of step.inputs) {
    const spec = declared.get(name);
    if (!spec || spec.injected !== undefined) {
      problems.push({ input: name, code: 'unknown_input', message: `${name}: the action has no input ${name} that a step may set` });
      continue;
    }
    const rendered = renderValue(template, scope, true);
    if (!rendered.ok) {
      problems.push({ input: name, code: rendered.code, message: `${name}: ${rendered.message}` });
      continue;
    }
    if (rendered.value === null) continue; // no value: as if left out
    const fit = fitted(rendered.value, spec, template);
    if (fit.ok) given.set(name, fit.value);
    else problems.push({ input: name, code: 'type_mismatch', message: fit.message });
  }
  const entries: [string, JsonValue][] = [];
  for (const spec of step.declaredInputs) {
    if (spec.injected !== undefined) continue;
    const value = given.get(spec.name);
    if (value !== undefined) entries.push([spec.name, value]);
    else if (spec.default !== undefined && spec.default !== null) entries.push([spec.name, spec.default]);
    else if (!spec.optional && !spec.hasSecretDefault && !problems.some((problem) => problem.input === spec.name)) {
      problems.push({ input: spec.name, code: 'required_input_missing', message: `${spec.name} (${spec.type}) is required and has no value` });
    }
  }
  if (problems.length > 0) return rejected({ code: 'invalid_inputs', message: joinProblems(problems), problems });
  return ok(Object.fromEntries(entries));
}

/** The run's results: every result rendered (secrets are never opened here). */
export function renderResults(plan: Pick<Plan, 'results'>, scope: Scope): Result<Record<string, JsonValue>, ResultsError> {
  const problems: ResultProblem[] = [];
  const entries: [string, JsonValue][] = [];
  for (const [name, template] of plan.results) {
    const rendered = renderValue(template, scope, false);
    if (rendered.ok) entries.push([name, rendered.value]);
    else problems.push({ result: name, code: rendered.code, message: `${name}: ${rendered.message}` });
  }
  if (problems.length > 0) return rejected({ code: 'invalid_results', message: joinProblems(problems), problems });
  return ok(Object.fromEntries(entries));
}

/** A foreach step's items: a list (secrets are never opened here). */
export function evaluateItems(template: Template, scope: Scope): Result<readonly JsonValue[], { readonly code: 'foreach_failed' | 'foreach_not_list'; readonly message: string }> {
  const rendered = renderValue(template, scope, false);
  if (!rendered.ok) return rejected({ code: 'foreach_failed', message: `foreach: ${rendered.message}` });
  if (!Array.isArray(rendered.value)) return rejected({ code: 'foreach_not_list', message: `foreach: the items are ${kindOf(rendered.value)}, not a list` });
  return ok(rendered.value);
}

/** A step's `when`: true or false (secrets are never opened here). */
export function evaluateCondition(template: Template, scope: Scope): Result<boolean, ConditionError> {
  const rendered = renderValue(template, scope, false);
  if (!rendered.ok) return rejected({ code: 'condition_failed', message: `when: ${rendered.message}` });
  if (typeof rendered.value !== 'boolean') return rejected({ code: 'condition_not_boolean', message: `when: the condition gave ${kindOf(rendered.value)}, not true or false` });
  return ok(rendered.value);
}
