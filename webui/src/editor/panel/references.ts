import type { JsonValue } from '@trellis/kernel/io';
import { parseTemplate, templateReferences } from '@trellis/workflow-language/template';
import { ANY, assignable, io, isIoType, listOf, typeOfLiteral, describeType, type Fit, type Target, type ValueType } from '@trellis/workflow-language/value-types';
import type { ActionSummary } from '../../api/library.js';
import type { DraftStep, DraftTrigger, WorkflowDraft } from '../draft.js';

/*
 * Which references a value may use, where it is written (docs/workflows.md, References):
 * - the trigger's outputs and upstream steps' outputs: in steps and results, never in the
 *   trigger's own settings (no run exists yet);
 * - `item`: only in the inputs of a step with `foreach`;
 * - `vars.*`: everywhere; `secrets.*`: only in action inputs (a step's, an action trigger's);
 * - `failure.*`: only in a compensation step (one some step names in `on_failure`);
 * - a step never reads itself or a step downstream of it (that would be a cycle), and nothing
 *   but a compensation reads what the failed step's upstream left; nothing reads a compensation.
 * Pure: the picker and its tests use the same answers.
 */

/** Where the value is written. */
export type ReferencePlace =
  | { kind: 'step-input'; step: number }
  | { kind: 'step-control'; step: number } // when, foreach
  | { kind: 'result' }
  | { kind: 'trigger-input' }; // a schedule's inputs or an action trigger's inputs

export type ReferenceOption = {
  /** As written inside `${{ }}`: `trigger.n`, `steps.s1.n`, `vars.X`, `secrets.Y`, `item`, `failure.error.message`. */
  text: string;
  type: ValueType;
  /** What it is, for people: "trigger input", "output of s1 (Add one)", "variable", … */
  source: string;
};

export type Offer = ReferenceOption & { fit: Fit };

type Catalog = { actions: readonly ActionSummary[]; variables: readonly string[]; secrets: readonly string[] };

/** `add-one@1.0.0` → the library's action `add-one` (its newest version's ports). */
export function actionOf(reference: string | undefined, actions: readonly ActionSummary[]): ActionSummary | undefined {
  if (!reference) return undefined;
  const at = reference.indexOf('@');
  const id = at < 0 ? reference : reference.slice(0, at);
  return actions.find((action) => action.id === id);
}

/** The type a port declares (an unknown type is "any": studio reports it elsewhere). */
export function portType(port: { type: string; values?: readonly string[] | undefined }): ValueType {
  return isIoType(port.type) ? io(port.type, port.type === 'enum' ? port.values : undefined) : ANY;
}

/** What `${{ trigger.<name> }}` gives, by trigger kind. */
export function triggerOutputs(trigger: DraftTrigger, actions: readonly ActionSummary[]): ReferenceOption[] {
  switch (trigger.type) {
    case 'http':
    case 'manual':
      return (trigger.inputs ?? []).filter((input) => input.name).map((input) => ({ text: `trigger.${input.name}`, type: portType(input), source: 'trigger input' }));
    case 'schedule':
      return Object.entries(trigger.inputs ?? {}).map(([name, value]) => ({ text: `trigger.${name}`, type: literalType(value), source: 'schedule input' }));
    case 'action':
      return (actionOf(trigger.action, actions)?.outputs ?? []).map((port) => ({ text: `trigger.${port.name}`, type: portType(port), source: 'trigger action output' }));
  }
}

/** A fixed value's type; a value with `${{ }}` (a variable) is known only at run time. */
function literalType(value: JsonValue): ValueType {
  return typeof value === 'string' && value.includes('${{') ? ANY : typeOfLiteral(value);
}

/** The step ids a value reads (`steps.<id>.…`), ignoring what does not parse. */
function stepsRead(value: JsonValue | undefined): string[] {
  if (value === undefined) return [];
  const parsed = parseTemplate(value);
  if (!parsed.ok) return [];
  return templateReferences(parsed.template).flatMap((reference) => (reference.root === 'steps' && typeof reference.path[0] === 'string' ? [reference.path[0]] : []));
}

/** The steps each step depends on: `needs` and every `steps.<id>` its inputs, `when` and `foreach` read. */
export function dependencies(steps: readonly DraftStep[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const step of steps) {
    const on = graph.get(step.id) ?? new Set<string>();
    for (const id of step.needs ?? []) on.add(id);
    for (const id of [...stepsRead(step.inputs ?? null), ...stepsRead(step.when), ...stepsRead(step.foreach)]) on.add(id);
    graph.set(step.id, on);
  }
  return graph;
}

/** Every step `id` depends on, directly or not (a cycle ends the walk). */
export function upstreamOf(id: string, graph: Map<string, Set<string>>): Set<string> {
  const seen = new Set<string>();
  const walk = (at: string) => {
    for (const next of graph.get(at) ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      walk(next);
    }
  };
  walk(id);
  return seen;
}

/** The steps that depend on `id`, directly or not: they may not be read by it. */
export function downstreamOf(id: string, graph: Map<string, Set<string>>): Set<string> {
  const result = new Set<string>();
  for (const other of graph.keys()) if (other !== id && upstreamOf(other, graph).has(id)) result.add(other);
  return result;
}

/** Compensation step id → the steps naming it in `on_failure`. */
export function compensations(steps: readonly DraftStep[]): Map<string, string[]> {
  const named = new Map<string, string[]>();
  for (const step of steps) if (step.on_failure) named.set(step.on_failure, [...(named.get(step.on_failure) ?? []), step.id]);
  return named;
}

function stepOutputs(step: DraftStep, actions: readonly ActionSummary[]): ReferenceOption[] {
  const action = actionOf(step.action, actions);
  const title = step.title ?? action?.name;
  const source = `output of ${step.id}${title ? ` (${title})` : ''}`;
  // A foreach step's outputs are lists, in item order.
  const shaped = (type: ValueType) => (step.foreach !== undefined ? listOf(type) : type);
  if (step.wait) return []; // a signal's payload has no declared outputs: written by hand
  return (action?.outputs ?? []).map((port) => ({ text: `steps.${step.id}.${port.name}`, type: shaped(portType(port)), source }));
}

/** What `${{ item }}` is in a foreach step: the item type of its list when known. */
function itemType(foreach: JsonValue, known: readonly ReferenceOption[]): ValueType {
  if (Array.isArray(foreach)) {
    const type = typeOfLiteral(foreach);
    return type.kind === 'list' ? type.of : ANY;
  }
  if (typeof foreach !== 'string') return ANY;
  const match = /^\s*\$\{\{\s*([^}]*?)\s*\}\}\s*$/.exec(foreach);
  const read = match ? known.find((option) => option.text === match[1]) : undefined;
  return read?.type.kind === 'list' ? read.type.of : ANY;
}

const FAILURE_FIELDS = ['failure.step', 'failure.attempts', 'failure.error.code', 'failure.error.message'];

/** Every reference a value written at `place` may use, in the order the picker lists them. */
export function referencesFor(draft: WorkflowDraft, place: ReferencePlace, catalog: Catalog): ReferenceOption[] {
  const vars: ReferenceOption[] = catalog.variables.map((name) => ({ text: `vars.${name}`, type: ANY, source: 'variable' }));
  const secrets: ReferenceOption[] = catalog.secrets.map((name) => ({ text: `secrets.${name}`, type: io('password'), source: 'secret' }));
  if (place.kind === 'trigger-input') return draft.trigger.type === 'action' ? [...vars, ...secrets] : vars;

  const trigger = triggerOutputs(draft.trigger, catalog.actions);
  const graph = dependencies(draft.steps);
  const compensating = compensations(draft.steps);
  const outputsOf = (ids: (id: string) => boolean) => draft.steps.filter((step) => ids(step.id)).flatMap((step) => stepOutputs(step, catalog.actions));

  if (place.kind === 'result') return [...trigger, ...outputsOf((id) => !compensating.has(id)), ...vars];

  const step = draft.steps[place.step];
  if (!step) return [];
  const failed = compensating.get(step.id);
  let readable: (id: string) => boolean;
  if (failed) {
    // A compensation reads what is upstream of every step it compensates (they have finished).
    const upstreams = failed.map((id) => upstreamOf(id, graph));
    readable = (id) => id !== step.id && upstreams.every((set) => set.has(id)) && !compensating.has(id);
  } else {
    const downstream = downstreamOf(step.id, graph);
    readable = (id) => id !== step.id && !downstream.has(id) && !compensating.has(id);
  }
  const steps = outputsOf(readable);
  const options = [...trigger, ...steps];
  if (place.kind === 'step-input' && step.foreach !== undefined) options.push({ text: 'item', type: itemType(step.foreach, options), source: 'the current foreach item' });
  if (failed) options.push(...FAILURE_FIELDS.map((text) => ({ text, type: ANY, source: 'what the failure left' })));
  options.push(...vars);
  if (place.kind === 'step-input') options.push(...secrets);
  return options;
}

/** The options with whether each may fill `target` (every one fits where the type is free). */
export function offersFor(options: readonly ReferenceOption[], target: Target | undefined): Offer[] {
  return options.map((option) => ({ ...option, fit: target ? assignable(option.type, target) : { ok: true } }));
}

/** `${{ trigger.n }}` for `trigger.n`. */
export const asTemplate = (text: string) => `\${{ ${text} }}`;

/** The reference a value is, when it is exactly one reference (`${{ steps.s1.n }}` → `steps.s1.n`). */
export function referenceIn(value: JsonValue | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  return /^\s*\$\{\{\s*([A-Za-z_][\w.\-[\]'"]*)\s*\}\}\s*$/.exec(value)?.[1];
}

/** Does the value hold `${{ }}` (a reference or an expression, rather than a fixed value)? */
export const isTemplate = (value: JsonValue | undefined): value is string => typeof value === 'string' && value.includes('${{');

export { describeType };
