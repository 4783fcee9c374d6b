import { assignable, describeType } from '@trellis/workflow-language/value-types';
import type { ActionSummary } from '../../api/library.js';
import type { DraftStep, Json, WorkflowDraft } from '../draft.js';
import { DEPS, DONE, NEW_RESULT, RESULTS, TRIGGER, portOfHandle, stepIdOfNode, type EdgeMeaning } from './graph.js';
import { stepInputs, stepOutputs, triggerOutputs, type OutPort } from './ports.js';
import { referenceText, refersToStep, sourcesOf, type ValueSource } from './references.js';

/*
 * The changes the canvas makes to a draft, as pure functions: each returns a new draft (the old
 * one is kept by the undo history) or says why it cannot.
 */

export type Edit = { ok: true; draft: WorkflowDraft } | { ok: false; reason: string };

/** A drag from a handle to a handle, as xyflow reports it. */
export type Connection = { source: string; sourceHandle: string | null | undefined; target: string; targetHandle: string | null | undefined };

const STEP_ID = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** A step id for a new step of `actionId`: the action id itself, then `-2`, `-3`… when taken. */
export function newStepId(draft: WorkflowDraft, actionId: string): string {
  let base = actionId.replace(/[^A-Za-z0-9_-]/g, '-').replace(/^[^A-Za-z]+/, '').replace(/-+$/, '').slice(0, 56);
  if (!STEP_ID.test(base)) base = 'step';
  const taken = new Set((draft.steps ?? []).map((step) => step.id));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** A new step calling the action (bare id: studio pins it to the newest built version on save). */
export function addStep(draft: WorkflowDraft, actionId: string): { draft: WorkflowDraft; stepId: string } {
  const stepId = newStepId(draft, actionId);
  return { draft: { ...draft, steps: [...(draft.steps ?? []), { id: stepId, action: actionId }] }, stepId };
}

const stepIndex = (draft: WorkflowDraft, nodeId: string) => {
  const id = stepIdOfNode(nodeId);
  return id === undefined ? -1 : (draft.steps ?? []).findIndex((step) => step.id === id);
};

/** The steps `id` depends on, directly or not (its references and needs). */
export function upstreamOf(draft: WorkflowDraft, id: string): Set<string> {
  const byId = new Map((draft.steps ?? []).map((step) => [step.id, step]));
  const found = new Set<string>();
  const visit = (stepId: string) => {
    const step = byId.get(stepId);
    if (!step) return;
    const direct = [
      ...Object.values(step.inputs ?? {}).flatMap((value) => sourcesOf(value)),
      ...sourcesOf(step.when), ...sourcesOf(step.foreach),
    ].flatMap((source) => (source.kind === 'step' ? [source.step] : []));
    for (const next of [...direct, ...(Array.isArray(step.needs) ? step.needs : [])]) {
      if (found.has(next)) continue;
      found.add(next);
      visit(next);
    }
  };
  visit(id);
  return found;
}

/** The output a connection starts from, with the type a reference to it carries. */
function sourceOf(draft: WorkflowDraft, actions: readonly ActionSummary[], connection: Connection): { source: ValueSource; port: OutPort } | { reason: string } {
  const name = portOfHandle(connection.sourceHandle, 'out');
  if (name === undefined) return { reason: 'start from an output' };
  if (connection.source === TRIGGER) {
    const port = triggerOutputs(draft.trigger, actions).find((candidate) => candidate.name === name);
    return port ? { source: { kind: 'trigger', name }, port } : { reason: `the trigger has no output ${name}` };
  }
  const index = stepIndex(draft, connection.source);
  const step = draft.steps[index];
  if (!step) return { reason: 'that step no longer exists' };
  const port = stepOutputs(step, actions).find((candidate) => candidate.name === name);
  return port ? { source: { kind: 'step', step: step.id, output: name }, port } : { reason: `${step.id} has no output ${name}` };
}

/**
 * Why the connection may not be made, or undefined when it may: the output's type must fit the
 * input (the workflow language's `assignable`), and a step may not read itself or what depends on it.
 */
export function connectionRefusal(draft: WorkflowDraft, actions: readonly ActionSummary[], connection: Connection): string | undefined {
  const made = connect(draft, actions, connection);
  return made.ok ? undefined : made.reason;
}

export function connect(draft: WorkflowDraft, actions: readonly ActionSummary[], connection: Connection): Edit {
  // Output `done` to input `deps`: one step waits for another (`needs`).
  if (connection.sourceHandle === DONE || connection.targetHandle === DEPS) return addNeeds(draft, connection);
  const found = sourceOf(draft, actions, connection);
  if ('reason' in found) return { ok: false, reason: found.reason };
  const { source, port } = found;
  const reference = referenceText(source);

  if (connection.target === RESULTS) {
    const results = { ...(draft.results ?? {}) };
    const named = portOfHandle(connection.targetHandle, 'in');
    const name = connection.targetHandle === NEW_RESULT || named === undefined ? freeName(results, port.name) : named;
    results[name] = reference;
    return { ok: true, draft: { ...draft, results } };
  }

  const index = stepIndex(draft, connection.target);
  const step = draft.steps[index];
  if (!step) return { ok: false, reason: 'connect to a step, or to the results' };
  const inputName = portOfHandle(connection.targetHandle, 'in');
  const input = stepInputs(step, actions).find((candidate) => candidate.name === inputName);
  if (!input) return { ok: false, reason: `${step.id} has no input ${inputName ?? ''}` };
  if (source.kind === 'step') {
    if (source.step === step.id) return { ok: false, reason: `${step.id} cannot use its own output` };
    if (upstreamOf(draft, source.step).has(step.id)) return { ok: false, reason: `${source.step} runs after ${step.id}: the link would make a cycle` };
  }
  const fit = assignable(port.type, input.target);
  if (!fit.ok) return { ok: false, reason: `${describeType(port.type)} → ${input.target.type}: ${fit.reason}` };
  const steps = draft.steps.map((candidate, i) => (i === index ? { ...candidate, inputs: { ...(candidate.inputs ?? {}), [input.name]: reference } } : candidate));
  return { ok: true, draft: { ...draft, steps } };
}

function addNeeds(draft: WorkflowDraft, connection: Connection): Edit {
  const from = draft.steps[stepIndex(draft, connection.source)];
  const index = stepIndex(draft, connection.target);
  const to = draft.steps[index];
  if (!from || !to) return { ok: false, reason: 'an order links two steps: the one before, then the one after' };
  if (from.id === to.id) return { ok: false, reason: `${to.id} cannot wait for itself` };
  if (upstreamOf(draft, from.id).has(to.id)) return { ok: false, reason: `${from.id} runs after ${to.id}: the link would make a cycle` };
  const needs = Array.isArray(to.needs) ? to.needs : [];
  if (needs.includes(from.id)) return { ok: true, draft };
  const steps = draft.steps.map((step, i) => (i === index ? { ...step, needs: [...needs, from.id] } : step));
  return { ok: true, draft: { ...draft, steps } };
}

/** `name`, or `name_2`, `name_3`… when the results have it already. */
function freeName(results: Record<string, Json>, name: string): string {
  if (!(name in results)) return name;
  for (let n = 2; ; n++) if (!(`${name}_${n}` in results)) return `${name}_${n}`;
}

/** Takes back what an edge stands for: the input's reference, the `when`/`foreach`, the `needs` entry, the result. */
export function disconnect(draft: WorkflowDraft, meaning: EdgeMeaning): WorkflowDraft {
  if (meaning.kind === 'result') {
    const results = { ...(draft.results ?? {}) };
    delete results[meaning.name];
    return withResults(draft, results);
  }
  const steps = draft.steps.map((step, i): DraftStep => {
    if (i !== meaning.step) return step;
    switch (meaning.kind) {
      case 'input': {
        const inputs = { ...(step.inputs ?? {}) };
        // The input is emptied even when its value held more than this reference (undo brings it back).
        delete inputs[meaning.input];
        return withInputs(step, inputs);
      }
      case 'when':
      case 'foreach': {
        const { [meaning.kind]: _removed, ...rest } = step;
        return rest;
      }
      case 'needs': {
        const needs = (step.needs ?? []).filter((id) => id !== meaning.needs);
        const { needs: _old, ...rest } = step;
        return needs.length ? { ...rest, needs } : rest;
      }
    }
  });
  return { ...draft, steps };
}

function withInputs(step: DraftStep, inputs: Record<string, Json>): DraftStep {
  const { inputs: _old, ...rest } = step;
  return Object.keys(inputs).length ? { ...rest, inputs } : rest;
}

function withResults(draft: WorkflowDraft, results: Record<string, Json>): WorkflowDraft {
  const { results: _old, ...rest } = draft;
  return Object.keys(results).length ? { ...rest, results } : rest;
}

/** Removes a step and every reference to it: inputs, `when`, `foreach`, `needs`, `on_failure` and results that read it. */
export function removeStep(draft: WorkflowDraft, id: string): WorkflowDraft {
  const steps = (draft.steps ?? []).filter((step) => step.id !== id).map((step): DraftStep => {
    let next: DraftStep = step;
    if (step.inputs) {
      const inputs = Object.fromEntries(Object.entries(step.inputs).filter(([, value]) => !refersToStep(value, id)));
      if (Object.keys(inputs).length !== Object.keys(step.inputs).length) next = withInputs(next, inputs);
    }
    for (const field of ['when', 'foreach'] as const) {
      if (refersToStep(next[field] as Json | undefined, id)) {
        const { [field]: _removed, ...rest } = next;
        next = rest;
      }
    }
    if (Array.isArray(next.needs) && next.needs.includes(id)) {
      const needs = next.needs.filter((other) => other !== id);
      const { needs: _old, ...rest } = next;
      next = needs.length ? { ...rest, needs } : rest;
    }
    if (next.on_failure === id) {
      const { on_failure: _old, ...rest } = next;
      next = rest;
    }
    return next;
  });
  const results = draft.results ? Object.fromEntries(Object.entries(draft.results).filter(([, value]) => !refersToStep(value, id))) : undefined;
  const without = { ...draft, steps };
  return results === undefined ? without : withResults(without, results);
}

/** Every string of a value, rewritten where it holds `${{ }}` (keys stay). */
function mapTemplates(value: Json, rewrite: (text: string) => string): Json {
  if (typeof value === 'string') return value.includes('${{') ? rewrite(value) : value;
  if (Array.isArray(value)) return value.map((item) => mapTemplates(item, rewrite));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapTemplates(item, rewrite)]));
  return value;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A step renamed from `from` to `to`: what read `steps.<from>.…`, `needs` and `on_failure` now name
 * `to` (`steps.add-one.n` is renamed, `steps.add-one-2.n` is another step and stays).
 */
export function renameReferences(draft: WorkflowDraft, from: string, to: string): WorkflowDraft {
  if (from === to) return draft;
  const pattern = new RegExp(`\\bsteps\\.${escapeRegExp(from)}(?=[.[\\s}]|$)`, 'g');
  const rewrite = (text: string) => text.replace(pattern, `steps.${to}`);
  const steps = (draft.steps ?? []).map((step): DraftStep => {
    const next: DraftStep = { ...step };
    if (step.inputs) next.inputs = mapTemplates(step.inputs, rewrite) as Record<string, Json>;
    if (step.when !== undefined) next.when = mapTemplates(step.when, rewrite) as string;
    if (step.foreach !== undefined) next.foreach = mapTemplates(step.foreach, rewrite);
    if (Array.isArray(step.needs)) next.needs = step.needs.map((id) => (id === from ? to : id));
    if (step.on_failure === from) next.on_failure = to;
    return next;
  });
  return { ...draft, steps, ...(draft.results ? { results: mapTemplates(draft.results, rewrite) as Record<string, Json> } : {}) };
}
