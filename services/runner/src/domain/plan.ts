import type { IoSpec, JsonValue } from '@trellis/kernel/io';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import { pathText, readDocument, shapeProblems, splitActionReference, type Problem, type Retry, type Step, type Trigger, type Wait } from '@trellis/workflow-language/document';
import type { Path } from '@trellis/workflow-language/expression';
import type { StepResources } from '@trellis/workflow-language/resources';
import { parseTemplate, templateReferences, type Template } from '@trellis/workflow-language/template';

/*
 * A deployed workflow version as the engine reads it, computed once per version: every step
 * with its pinned action, its dependencies and dependants, its templates parsed; the normal
 * flow in a topological order; the results' templates.
 *
 * - A step depends on every step its inputs, `when` and `foreach` reference
 *   (`${{ steps.X.out }}`), plus those it `needs`.
 * - A step named by some step's `on_failure` is a compensation: it is in `steps` (with its own
 *   dependencies) but not in the normal flow (`order`, `roots`, anyone's `dependants`).
 * - Studio validated the document before deploying it; the runner checks again what would
 *   make it loop or guess (a shape problem, an unpinned action, an unknown or compensation
 *   dependency, a cycle, a template that does not parse) and refuses the version.
 */

/** An action version as the deployment pins it: its declared inputs give types and defaults. */
export type Pin = { readonly actionId: string; readonly version: string; readonly inputs: readonly IoSpec[] };

export type PlanStep = {
  readonly id: string;
  /** Its place in the document's `steps`. */
  readonly index: number;
  readonly title?: string;
  /** The pinned action it calls; undefined for a wait step. */
  readonly action?: { readonly id: string; readonly version: string };
  /** A wait step: it calls nothing, it ends on its signal or its timeout. */
  readonly wait?: Wait;
  /** The pinned action's declared inputs (none for a wait step). */
  readonly declaredInputs: readonly IoSpec[];
  /** Step ids this step waits for (references and `needs`), in document order. */
  readonly dependencies: readonly string[];
  /** Normal-flow step ids that depend on this one, in document order (empty for a compensation). */
  readonly dependants: readonly string[];
  /** Input name -> its template (a Map: an input may be called `__proto__`). */
  readonly inputs: ReadonlyMap<string, Template>;
  readonly when?: Template;
  readonly foreach?: Template;
  readonly parallelism: number;
  readonly failFast: boolean;
  readonly retry?: Retry;
  readonly timeoutMs?: number;
  /** Its cpu and memory instead of the action's manifest's (each on its own). */
  readonly resources?: StepResources;
  /** The id of its compensation step. */
  readonly onFailure?: string;
  /** Named by some step's `on_failure`: runs only when such a step fails for good. */
  readonly compensation: boolean;
};

export type Plan = {
  readonly name: string;
  readonly trigger: Trigger;
  /** Every step, compensations included, in document order. */
  readonly steps: ReadonlyMap<string, PlanStep>;
  /** The normal flow (compensations left out) in a topological order; ties keep document order. */
  readonly order: readonly string[];
  /** Normal-flow steps without dependencies, in document order. */
  readonly roots: readonly string[];
  readonly compensations: readonly string[];
  /** Result name -> its template. */
  readonly results: ReadonlyMap<string, Template>;
  readonly onFinish?: { readonly webhook: string };
  /** A run still going after this long fails (`run_timeout`). */
  readonly timeoutMs?: number;
};

export type PlanError =
  | { readonly type: 'InvalidDocument'; readonly problems: readonly Problem[] }
  | { readonly type: 'NoSteps' }
  | { readonly type: 'DuplicateStep'; readonly step: string }
  | { readonly type: 'ActionNotPinned'; readonly step: string; readonly action: string }
  | { readonly type: 'UnknownStep'; readonly step: string; readonly reference: string }
  | { readonly type: 'DependsOnCompensation'; readonly step: string; readonly compensation: string }
  | { readonly type: 'Cycle'; readonly path: readonly string[] }
  | { readonly type: 'BadTemplate'; readonly path: Path; readonly message: string };

/** Where a PlanError came from, for a deployment's failure reason. */
export function describePlanError(error: PlanError): string {
  switch (error.type) {
    case 'InvalidDocument':
      return `The document is not a valid workflow: ${error.problems.slice(0, 5).map((p) => `${p.code} at ${pathText(p.path)}`).join('; ')}.`;
    case 'NoSteps':
      return 'The workflow has no step outside compensations.';
    case 'DuplicateStep':
      return `Two steps are called ${error.step}.`;
    case 'ActionNotPinned':
      return `Step ${error.step} uses ${error.action}, which is not a pinned action version.`;
    case 'UnknownStep':
      return `Step ${error.step} depends on ${error.reference}, which is not a step.`;
    case 'DependsOnCompensation':
      return `${error.step} depends on the compensation step ${error.compensation}.`;
    case 'Cycle':
      return `The steps depend on each other in a cycle: ${[...error.path, error.path[0]].join(' -> ')}.`;
    case 'BadTemplate':
      return `${pathText(error.path)}: ${error.message}.`;
  }
}

const RESULTS = '(results)';

type Parsed = { templates: Map<string, Template>; referenced: string[] };

/** Parses each value of a map, gathering the step ids its templates reference. */
function parseAll(values: Readonly<Record<string, JsonValue>>, path: Path): Result<Parsed, PlanError> {
  const templates = new Map<string, Template>();
  const referenced: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    const parsed = parseOne(value, [...path, name]);
    if (!parsed.ok) return parsed;
    templates.set(name, parsed.value.template);
    referenced.push(...parsed.value.referenced);
  }
  return ok({ templates, referenced });
}

function parseOne(value: JsonValue, path: Path): Result<{ template: Template; referenced: string[] }, PlanError> {
  const parsed = parseTemplate(value);
  if (!parsed.ok) {
    const [first] = parsed.errors;
    return rejected({ type: 'BadTemplate', path: [...path, ...(first?.path ?? [])], message: first?.message ?? 'the template does not parse' });
  }
  const referenced = templateReferences(parsed.template).flatMap((reference) => (reference.root === 'steps' && typeof reference.path[0] === 'string' ? [reference.path[0]] : []));
  return ok({ template: parsed.template, referenced });
}

function pinOf(step: Step, pins: ReadonlyMap<string, Pin>): Result<Pin, PlanError> {
  const { id, version } = splitActionReference(step.action);
  const pin = version === undefined ? undefined : pins.get(`${id}@${version}`);
  return pin ? ok(pin) : rejected({ type: 'ActionNotPinned', step: step.id, action: step.action });
}

type Draft = Omit<PlanStep, 'dependants'>;

function draftStep(step: Step, pins: ReadonlyMap<string, Pin>, compensation: boolean): Result<Draft, PlanError> {
  const pin = step.wait ? ok(undefined) : pinOf(step, pins);
  if (!pin.ok) return pin;
  const base: Path = ['steps', step.index];
  const inputs = parseAll(step.inputs, [...base, 'inputs']);
  if (!inputs.ok) return inputs;
  const referenced = [...inputs.value.referenced];
  const optional: { when?: Template; foreach?: Template } = {};
  for (const field of ['when', 'foreach'] as const) {
    const value = step[field];
    if (value === undefined) continue;
    const parsed = parseOne(value, [...base, field]);
    if (!parsed.ok) return parsed;
    optional[field] = parsed.value.template;
    referenced.push(...parsed.value.referenced);
  }
  const dependencies = [...new Set([...referenced, ...step.needs])];
  return ok({
    id: step.id, index: step.index,
    ...(step.title !== undefined ? { title: step.title } : {}),
    ...(pin.value ? { action: { id: pin.value.actionId, version: pin.value.version } } : {}),
    ...(step.wait ? { wait: step.wait } : {}),
    declaredInputs: pin.value?.inputs ?? [],
    dependencies,
    inputs: inputs.value.templates,
    ...optional,
    parallelism: step.parallelism, failFast: step.failFast,
    ...(step.retry ? { retry: step.retry } : {}),
    ...(step.timeoutMs !== undefined ? { timeoutMs: step.timeoutMs } : {}),
    ...(step.resources ? { resources: step.resources } : {}),
    ...(step.onFailure !== undefined ? { onFailure: step.onFailure } : {}),
    compensation,
  });
}

/**
 * Kahn's algorithm over the normal flow; ties keep document order. What is left over holds a
 * cycle: one is found by walking dependencies from a leftover step until a step repeats.
 */
function topologicalOrder(normal: readonly Draft[]): Result<string[], PlanError> {
  const pending = new Map(normal.map((step) => [step.id, step.dependencies.length]));
  const dependants = new Map<string, string[]>(normal.map((step) => [step.id, []]));
  for (const step of normal) for (const dependency of step.dependencies) dependants.get(dependency)?.push(step.id);
  const position = new Map(normal.map((step, i) => [step.id, i]));
  const ready = normal.filter((step) => step.dependencies.length === 0).map((step) => step.id);
  const order: string[] = [];
  while (ready.length > 0) {
    // Smallest document position first: a plain chain or a wide fan-out stays cheap.
    let best = 0;
    for (let i = 1; i < ready.length; i++) if ((position.get(ready[i] as string) ?? 0) < (position.get(ready[best] as string) ?? 0)) best = i;
    const [id] = ready.splice(best, 1) as [string];
    order.push(id);
    for (const next of dependants.get(id) ?? []) {
      const left = (pending.get(next) ?? 0) - 1;
      pending.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  if (order.length === normal.length) return ok(order);
  const placed = new Set(order);
  const byId = new Map(normal.map((step) => [step.id, step]));
  const start = normal.find((step) => !placed.has(step.id)) as Draft;
  const seen: string[] = [];
  let current = start;
  while (!seen.includes(current.id)) {
    seen.push(current.id);
    const next = current.dependencies.find((id) => !placed.has(id)) as string;
    current = byId.get(next) as Draft;
  }
  return rejected({ type: 'Cycle', path: seen.slice(seen.indexOf(current.id)) });
}

/**
 * The plan of a deployed version: `document` as studio sent it (canonical, every action
 * `id@version`) and the action versions it pins.
 */
export function planOf(document: JsonValue, pins: readonly Pin[]): Result<Plan, PlanError> {
  const problems = shapeProblems(document);
  if (problems.length > 0) return rejected({ type: 'InvalidDocument', problems });
  const read = readDocument(document);
  if (!read.trigger) return rejected({ type: 'InvalidDocument', problems: [{ code: 'missing_trigger', path: ['trigger'], message: 'trigger is required.' }] });
  const byPin = new Map(pins.map((pin) => [`${pin.actionId}@${pin.version}`, pin]));
  const ids = new Set<string>();
  for (const step of read.steps) {
    if (ids.has(step.id)) return rejected({ type: 'DuplicateStep', step: step.id });
    ids.add(step.id);
  }
  const compensationIds = new Set<string>();
  for (const step of read.steps) {
    if (step.onFailure === undefined) continue;
    if (!ids.has(step.onFailure) || step.onFailure === step.id) return rejected({ type: 'UnknownStep', step: step.id, reference: step.onFailure });
    compensationIds.add(step.onFailure);
  }
  const drafts: Draft[] = [];
  for (const step of read.steps) {
    const draft = draftStep(step, byPin, compensationIds.has(step.id));
    if (!draft.ok) return draft;
    for (const dependency of draft.value.dependencies) {
      if (!ids.has(dependency)) return rejected({ type: 'UnknownStep', step: step.id, reference: dependency });
      if (compensationIds.has(dependency)) return rejected({ type: 'DependsOnCompensation', step: step.id, compensation: dependency });
    }
    drafts.push(draft.value);
  }
  const results = parseAll(read.results, ['results']);
  if (!results.ok) return results;
  for (const reference of results.value.referenced) {
    if (!ids.has(reference)) return rejected({ type: 'UnknownStep', step: RESULTS, reference });
    if (compensationIds.has(reference)) return rejected({ type: 'DependsOnCompensation', step: RESULTS, compensation: reference });
  }
  const normal = drafts.filter((step) => !step.compensation);
  if (normal.length === 0) return rejected({ type: 'NoSteps' });
  const order = topologicalOrder(normal);
  if (!order.ok) return order;
  const dependants = new Map<string, string[]>(drafts.map((step) => [step.id, []]));
  for (const step of normal) for (const dependency of step.dependencies) dependants.get(dependency)?.push(step.id);
  return ok({
    name: read.name,
    trigger: read.trigger,
    steps: new Map(drafts.map((step) => [step.id, { ...step, dependants: dependants.get(step.id) ?? [] }])),
    order: order.value,
    roots: normal.filter((step) => step.dependencies.length === 0).map((step) => step.id),
    compensations: drafts.filter((step) => step.compensation).map((step) => step.id),
    results: results.value.templates,
    ...(read.onFinish ? { onFinish: read.onFinish } : {}),
    ...(read.timeoutMs !== undefined ? { timeoutMs: read.timeoutMs } : {}),
  });
}

/** The step of a plan, for ids the plan gave (a bug otherwise). */
/** A compensation's run of `compensation` for the step `forStep`: its own id in a run (`:` is in no step id). */
export const compensationKey = (compensation: string, forStep: string): string => `${compensation}:${forStep}`;

/** One item's run of a foreach step: its own id in a run (`[` is in no step id). */
export const itemKey = (step: string, index: number): string => `${step}[${index}]`;

/** The foreach step and item index of an item's id; undefined for any other id. */
export function itemOf(id: string): { readonly step: string; readonly index: number } | undefined {
  const open = id.lastIndexOf('[');
  if (open < 0 || !id.endsWith(']')) return undefined;
  return { step: id.slice(0, open), index: Number(id.slice(open + 1, -1)) };
}

/** The plan's step behind a run's step id (a compensation's key gives the compensation step, an item's its foreach step). */
export function stepOf(plan: Plan, id: string): PlanStep {
  const colon = id.indexOf(':');
  const base = colon < 0 ? (itemOf(id)?.step ?? id) : id.slice(0, colon);
  const step = plan.steps.get(base);
  if (!step) throw new Error(`The plan has no step ${id}`);
  return step;
}
