import type { IoSpec, JsonValue } from '@trellis/kernel/io';
import { ACTION_REFERENCE } from '@trellis/workflow-language/document-shape';
import { shapeProblems, readDocument, splitActionReference, type IoDeclaration, type Problem, type Step, type Trigger, type WorkflowDocument } from '@trellis/workflow-language/document';
import type { Path, Reference } from '@trellis/workflow-language/expression';
import { checkSchedule } from '@trellis/workflow-language/schedule';
import { parseTemplate, staticTypeOfTemplate, templateReferences, type Template } from '@trellis/workflow-language/template';
import { ANY, assignable, describeType, io, isIoType, staticFits, typeOfLiteral, type Target, type ValueType } from '@trellis/workflow-language/value-types';
import { findCycles } from './graph.js';
import { uploadedFileIds } from './pins.js';

export type { Problem } from '@trellis/workflow-language/document';

/** A built action version as validation needs it. */
export type ActionVersion = {
  readonly actionId: string;
  readonly version: string;
  readonly kind: 'Trigger' | 'Processor' | 'Publisher';
  readonly inputs: readonly IoSpec[];
  readonly outputs: readonly IoSpec[];
};

/** What the project holds that a document may name. */
export type ValidationContext = {
  /** Every built version of an action, newest build first; empty when the library has no such action. */
  readonly versionsOf: (actionId: string) => readonly ActionVersion[];
  readonly variables: ReadonlyMap<string, JsonValue>;
  readonly secrets: ReadonlySet<string>;
  /** HTTP trigger paths of the project's other workflows: path -> that workflow's name. */
  readonly httpPathsTaken: ReadonlyMap<string, string>;
  /** The project's uploaded files among those the document names (`{ file: <id> }`). */
  readonly files: ReadonlySet<string>;
};

/** Where a value sits, which says what it may reference. */
type Site = {
  /** trigger.* and steps.*: values of the run (not in a trigger's own inputs). */
  readonly runValues: boolean;
  readonly secrets: boolean;
  /** The item type inside a foreach step's inputs; undefined elsewhere. */
  readonly item?: ValueType;
  readonly compensation: boolean;
  readonly where: string;
};

type Analysis = {
  readonly problems: Problem[];
  readonly context: ValidationContext;
  readonly document: WorkflowDocument;
  readonly stepsById: ReadonlyMap<string, Step>;
  readonly actions: ReadonlyMap<Step, ActionVersion>;
  readonly triggerOutputs: ReadonlyMap<string, ValueType>;
  /** Step ids each step's values reference (for the DAG). */
  readonly stepReferences: Map<Step, { id: string; path: Path }[]>;
};

const targetOf = (spec: { type: string; values?: readonly string[] | undefined }): Target | undefined =>
  isIoType(spec.type) ? { type: spec.type, ...(spec.values ? { values: spec.values } : {}) } : undefined;

const ioTypeOf = (spec: { type: string; values?: readonly string[] | undefined }): ValueType =>
  isIoType(spec.type) ? io(spec.type, spec.values) : ANY;

function referenceText(reference: Reference): string {
  return [reference.root, ...reference.path.map((part) => (typeof part === 'number' ? `[${part}]` : part))].join('.').replace(/\.\[/g, '[');
}

/** The action a reference names, or a problem saying why there is none. */
function resolveAction(reference: string, path: Path, context: ValidationContext, problems: Problem[]): ActionVersion | undefined {
  const { id, version } = splitActionReference(reference);
  const versions = context.versionsOf(id);
  if (versions.length === 0) {
    problems.push({ code: 'unknown_action', path, message: `The library has no action ${JSON.stringify(id)}.` });
    return undefined;
  }
  if (version === undefined) return versions[0];
  const found = versions.find((candidate) => candidate.version === version);
  if (!found) {
    problems.push({ code: 'unknown_action_version', path, message: `${id} has no built version ${version}; built: ${versions.map((v) => v.version).join(', ')}.` });
  }
  return found;
}

function declarationsProblems(declarations: readonly IoDeclaration[], path: Path, problems: Problem[]): void {
  const seen = new Set<string>();
  declarations.forEach((declaration, index) => {
    if (seen.has(declaration.name)) problems.push({ code: 'duplicate_input', path: [...path, index, 'name'], message: `The input ${declaration.name} is declared twice.` });
    seen.add(declaration.name);
    if (declaration.type === 'enum' && (declaration.values?.length ?? 0) === 0) {
      problems.push({ code: 'enum_without_values', path: [...path, index, 'values'], message: `The enum input ${declaration.name} needs its allowed values.` });
    }
    const target = targetOf(declaration);
    if (declaration.default !== undefined && declaration.default !== null && target) {
      const fit = staticFits(declaration.default, target);
      if (!fit.ok) problems.push({ code: 'type_mismatch', path: [...path, index, 'default'], message: `The default does not fit ${declaration.type}: ${fit.reason}` });
    }
  });
}

function triggerOutputsOf(trigger: Trigger | undefined, triggerAction: ActionVersion | undefined, context: ValidationContext): Map<string, ValueType> {
  const outputs = new Map<string, ValueType>();
  if (!trigger) return outputs;
  switch (trigger.type) {
    case 'http':
    case 'manual':
      // A duplicate declaration is reported; the first one counts.
      for (const declaration of trigger.inputs) if (!outputs.has(declaration.name)) outputs.set(declaration.name, ioTypeOf(declaration));
      return outputs;
    case 'schedule':
      for (const [name, value] of Object.entries(trigger.inputs)) {
        const parsed = parseTemplate(value);
        outputs.set(name, parsed.ok ? staticTypeOfTemplate(parsed.template, (reference) => (reference.root === 'vars' ? variableType(reference, context) : undefined)).type : ANY);
      }
      return outputs;
    case 'action':
      for (const output of triggerAction?.outputs ?? []) outputs.set(output.name, ioTypeOf(output));
      return outputs;
  }
}

function variableType(reference: Reference, context: ValidationContext): ValueType | undefined {
  const [name, ...deeper] = reference.path;
  if (typeof name !== 'string' || !context.variables.has(name)) return undefined;
  return deeper.length > 0 ? ANY : typeOfLiteral(context.variables.get(name) ?? null);
}

/** What `failure.*` holds in a compensation step: the failed step's id, its attempts, its inputs and its error. */
function failureType(reference: Reference): ValueType | undefined {
  const [field, member, ...deeper] = reference.path;
  switch (field) {
    case 'step':
      return member === undefined ? io('string') : undefined;
    case 'attempts':
      return member === undefined ? io('integer') : undefined;
    case 'inputs':
      return member === undefined ? io('json') : ANY;
    case 'error':
      if (member === undefined) return io('json');
      return (member === 'code' || member === 'message') && deeper.length === 0 ? io('string') : undefined;
    default:
      return undefined;
  }
}

/** The type a reference carries, after reporting what is wrong with it; undefined when it is wrong. */
function checkReference(reference: Reference, path: Path, site: Site, analysis: Analysis, step: Step | undefined): ValueType | undefined {
  const { problems, context } = analysis;
  const text = referenceText(reference);
  const problem = (code: string, message: string) => {
    problems.push({ code, path, message });
    return undefined;
  };
  const [first, second, ...deeper] = reference.path;
  switch (reference.root) {
    case 'vars':
      if (typeof first !== 'string' || !context.variables.has(first)) return problem('unknown_variable', `${text}: the project has no variable ${String(first)}.`);
      return variableType(reference, context);
    case 'secrets':
      if (!site.secrets) return problem('secret_not_allowed_here', `${text}: secrets may be used only in action inputs, not in ${site.where} (they would leave the run in clear).`);
      if (typeof first !== 'string' || !context.secrets.has(first)) return problem('unknown_secret', `${text}: the project has no secret ${String(first)}.`);
      return deeper.length > 0 || second !== undefined ? problem('invalid_reference', `${text}: a secret is a string; it has no members.`) : io('password');
    case 'item':
      if (!site.item) return problem('item_outside_foreach', `${text}: \${{ item }} exists only in the inputs of a step with foreach.`);
      return reference.path.length > 0 ? ANY : site.item;
    case 'failure':
      if (!site.compensation) return problem('failure_outside_compensation', `${text}: failure.* exists only in a compensation step (one named by on_failure).`);
      return failureType(reference) ?? problem('invalid_reference', `${text}: a failure has step, attempts, inputs.<name> and error (error.code, error.message).`);
    case 'trigger': {
      if (!site.runValues) return problem('reference_not_allowed', `${text}: ${site.where} cannot use the run's values.`);
      const type = typeof first === 'string' ? analysis.triggerOutputs.get(first) : undefined;
      if (!type) {
        const names = [...analysis.triggerOutputs.keys()];
        return problem('unknown_trigger_output', `${text}: the trigger has no output ${String(first)}${names.length > 0 ? `; it has ${names.join(', ')}` : ''}.`);
      }
      return reference.path.length > 1 ? ANY : type;
    }
    case 'steps': {
      if (!site.runValues) return problem('reference_not_allowed', `${text}: ${site.where} cannot use the run's values.`);
      if (typeof first !== 'string') return problem('invalid_reference', `${text}: write steps.<id>.<output>.`);
      const target = analysis.stepsById.get(first);
      if (!target) return problem('unknown_step_reference', `${text}: there is no step ${first}.`);
      if (step) analysis.stepReferences.get(step)?.push({ id: first, path });
      else analysis.stepReferences.get(RESULTS)?.push({ id: first, path });
      if (typeof second !== 'string') return problem('invalid_reference', `${text}: name one of the step's outputs (steps.${first}.<output>).`);
      const action = analysis.actions.get(target);
      if (!action) return ANY;
      const output = action.outputs.find((candidate) => candidate.name === second);
      if (!output) return problem('unknown_output', `${text}: ${action.actionId}@${action.version} has no output ${second}; it has ${action.outputs.map((o) => o.name).join(', ') || 'none'}.`);
      const type = deeper.length > 0 ? ANY : ioTypeOf(output);
      return target.foreach !== undefined ? { kind: 'list', of: type } : type;
    }
  }
}

/** Parses a value's templates, reports every problem in it, and gives its type (undefined: not typable). */
function checkValue(value: JsonValue, path: Path, site: Site, analysis: Analysis, step?: Step): { template: Template; type: ValueType } | undefined {
  const parsed = parseTemplate(value);
  if (!parsed.ok) {
    for (const error of parsed.errors) {
      analysis.problems.push({ code: 'bad_expression', path: [...path, ...error.path], message: `${error.message} (at character ${error.index + 1} of the expression).` });
    }
    return undefined;
  }
  const types = new Map<Reference, ValueType | undefined>();
  for (const reference of templateReferences(parsed.template)) types.set(reference, checkReference(reference, path, site, analysis, step));
  const typed = staticTypeOfTemplate(parsed.template, (reference) => types.get(reference));
  for (const problem of typed.problems) {
    analysis.problems.push({ code: 'bad_expression', path, message: `${problem.message} (at character ${problem.index + 1} of the expression).` });
  }
  return { template: parsed.template, type: typed.type };
}

/** Every `{ file: <id> }` in a static value must be one of the project's uploaded files. */
function checkUploadedFiles(value: JsonValue, path: Path, analysis: Analysis): void {
  for (const id of uploadedFileIds(value)) {
    if (!analysis.context.files.has(id)) analysis.problems.push({ code: 'unknown_file', path, message: `The project has no uploaded file ${id}.` });
  }
}

/** Checks one input's value against the action's declaration. */
function checkInput(value: JsonValue, spec: IoSpec, path: Path, site: Site, analysis: Analysis, step?: Step): void {
  const checked = checkValue(value, path, site, analysis, step);
  const target = targetOf(spec);
  if (!checked || !target) return;
  if (checked.template.kind === 'literal') {
    if (value === null) return;
    const fit = staticFits(value, target);
    if (!fit.ok) analysis.problems.push({ code: 'type_mismatch', path, message: `${spec.name} is ${describeType(io(target.type, target.values))}: ${fit.reason}` });
    else if (target.type === 'file' || target.type === 'directory') checkUploadedFiles(value, path, analysis);
    return;
  }
  const fit = assignable(checked.type, target);
  if (!fit.ok) analysis.problems.push({ code: 'type_mismatch', path, message: `${spec.name} is ${describeType(io(target.type, target.values))} and gets ${describeType(checked.type)}: ${fit.reason}` });
}

/** An action's inputs filled by `given`: unknown, platform-set and missing required ones, and each value's type. */
function checkInputs(given: Readonly<Record<string, JsonValue>>, action: ActionVersion, path: Path, site: Site, analysis: Analysis, step?: Step): void {
  const declared = new Map(action.inputs.map((input) => [input.name, input]));
  for (const [name, value] of Object.entries(given)) {
    const spec = declared.get(name);
    if (!spec) {
      analysis.problems.push({ code: 'unknown_input', path: [...path, name], message: `${action.actionId}@${action.version} has no input ${name}; it has ${action.inputs.map((i) => i.name).join(', ') || 'none'}.` });
      checkValue(value, [...path, name], site, analysis, step);
      continue;
    }
    if (spec.injected) {
      analysis.problems.push({ code: 'input_set_by_platform', path: [...path, name], message: `${name} is set by the platform at run time; leave it out.` });
      continue;
    }
    checkInput(value, spec, [...path, name], site, analysis, step);
  }
  for (const spec of action.inputs) {
    const value = given[spec.name];
    const missing = value === undefined || value === null;
    if (missing && !spec.injected && !spec.optional && spec.default === undefined && !spec.hasSecretDefault) {
      analysis.problems.push({ code: 'required_input_missing', path: [...path, spec.name], message: `${action.actionId}@${action.version} requires the input ${spec.name} (${spec.type}).` });
    }
  }
}

const RESULTS = { index: -1 } as unknown as Step;

function checkTrigger(analysis: Analysis, triggerAction: ActionVersion | undefined): void {
  const { document, problems, context } = analysis;
  const trigger = document.trigger;
  if (!trigger) return;
  const fixed: Site = { runValues: false, secrets: false, compensation: false, where: 'the trigger' };
  switch (trigger.type) {
    case 'http': {
      const owner = context.httpPathsTaken.get(trigger.path);
      if (owner !== undefined) problems.push({ code: 'http_path_taken', path: ['trigger', 'path'], message: `The workflow ${owner} already answers /${trigger.path}.` });
      declarationsProblems(trigger.inputs, ['trigger', 'inputs'], problems);
      return;
    }
    case 'manual':
      declarationsProblems(trigger.inputs, ['trigger', 'inputs'], problems);
      return;
    case 'schedule': {
      const check = checkSchedule(trigger.cron, trigger.timezone);
      if (!check.ok) problems.push({ code: check.code, path: ['trigger', check.code === 'bad_cron' ? 'cron' : 'timezone'], message: check.reason });
      for (const [name, value] of Object.entries(trigger.inputs)) checkValue(value, ['trigger', 'inputs', name], fixed, analysis);
      return;
    }
    case 'action':
      if (!triggerAction) return;
      if (triggerAction.kind !== 'Trigger') {
        problems.push({ code: 'wrong_action_kind', path: ['trigger', 'action'], message: `${triggerAction.actionId} is a ${triggerAction.kind}; a trigger action must be of kind Trigger.` });
      }
      checkInputs(trigger.inputs, triggerAction, ['trigger', 'inputs'], { ...fixed, secrets: true, where: 'the trigger' }, analysis);
  }
}

function checkStep(step: Step, analysis: Analysis, compensation: boolean): void {
  const base = ['steps', step.index] as const;
  const site: Site = { runValues: true, secrets: false, compensation, where: `step ${step.id}` };
  if (step.when !== undefined) {
    const checked = checkValue(step.when, [...base, 'when'], { ...site, where: 'a condition' }, analysis, step);
    if (checked) {
      const { type } = checked;
      const boolean = type.kind === 'any' || (type.kind === 'io' && type.type === 'boolean');
      if (!boolean) analysis.problems.push({ code: 'condition_not_boolean', path: [...base, 'when'], message: `A condition must be true or false; this one is ${describeType(type)}.` });
    }
  }
  let item: ValueType | undefined;
  if (step.foreach !== undefined) {
    const checked = checkValue(step.foreach, [...base, 'foreach'], { ...site, where: 'foreach' }, analysis, step);
    if (checked) {
      const { type } = checked;
      if (type.kind === 'list') item = type.of;
      else if (type.kind === 'any' || (type.kind === 'io' && type.type === 'json')) item = ANY;
      else analysis.problems.push({ code: 'foreach_not_list', path: [...base, 'foreach'], message: `foreach needs a list; this is ${describeType(type)}.` });
    }
  }
  const inputsSite: Site = { ...site, secrets: true, ...(item ? { item } : step.foreach !== undefined ? { item: ANY } : {}) };
  const action = analysis.actions.get(step);
  if (!action) {
    for (const [name, value] of Object.entries(step.inputs)) checkValue(value, [...base, 'inputs', name], inputsSite, analysis, step);
    return;
  }
  if (action.kind === 'Trigger') {
    analysis.problems.push({ code: 'wrong_action_kind', path: [...base, 'action'], message: `${action.actionId} is a Trigger action; it can only be a workflow's trigger.` });
  }
  checkInputs(step.inputs, action, [...base, 'inputs'], inputsSite, analysis, step);
}

/** A signal names one wait step: `POST /runner/runs/{run}/signals/{name}` must know which step it ends. */
function checkSignals(document: WorkflowDocument, problems: Problem[]): void {
  const seen = new Set<string>();
  for (const step of document.steps) {
    const signal = step.wait?.signal;
    if (signal === undefined) continue;
    if (seen.has(signal)) {
      problems.push({ code: 'duplicate_signal', path: ['steps', step.index, 'wait', 'signal'], message: `Another wait step already waits for the signal ${signal}.` });
    }
    seen.add(signal);
  }
}

/** Dependencies: unknown `needs`, references to compensation steps or to itself, cycles, compensations' reach. */
function checkGraph(analysis: Analysis, compensations: ReadonlyMap<string, Step[]>): void {
  const { document, problems, stepsById, stepReferences } = analysis;
  const normal = document.steps.filter((step) => !compensations.has(step.id));
  const edges = new Map<string, Set<string>>();
  for (const step of document.steps) {
    const upstream = new Set<string>();
    step.needs.forEach((need, index) => {
      if (!stepsById.has(need)) problems.push({ code: 'unknown_step_reference', path: ['steps', step.index, 'needs', index], message: `There is no step ${need}.` });
      else upstream.add(need);
    });
    for (const reference of stepReferences.get(step) ?? []) upstream.add(reference.id);
    // A duplicate id has been reported; only the first step of that id is in the graph.
    if (stepsById.get(step.id) !== step) continue;
    edges.set(step.id, upstream);
    if (compensations.has(step.id)) continue;
    for (const id of upstream) {
      const path = stepReferences.get(step)?.find((reference) => reference.id === id)?.path ?? ['steps', step.index, 'needs'];
      if (id === step.id) problems.push({ code: 'reference_not_upstream', path, message: `Step ${step.id} cannot use its own outputs.` });
      else if (compensations.has(id)) problems.push({ code: 'reference_not_upstream', path, message: `${id} is a compensation step (named by on_failure): it runs only when a step fails, so ${step.id} cannot depend on it.` });
    }
  }
  const normalIds = new Set(normal.map((step) => step.id));
  const graph = new Map([...edges].filter(([id]) => normalIds.has(id)).map(([id, upstream]) => [id, [...upstream].filter((u) => normalIds.has(u) && u !== id)]));
  for (const cycle of findCycles(graph)) {
    const first = stepsById.get(cycle[0] ?? '');
    problems.push({ code: 'cycle', path: ['steps', first?.index ?? 0], message: `The steps depend on each other in a cycle: ${[...cycle, cycle[0]].join(' -> ')}.` });
  }
  // A compensation runs after its owner failed: only steps upstream of the owner have finished.
  for (const [id, owners] of compensations) {
    const compensation = stepsById.get(id);
    if (!compensation) continue;
    for (const owner of owners) {
      const reachable = ancestors(owner.id, graph);
      for (const reference of stepReferences.get(compensation) ?? []) {
        if (!reachable.has(reference.id)) {
          problems.push({ code: 'reference_not_upstream', path: reference.path, message: `Compensation ${id} runs when ${owner.id} fails: it may use only steps upstream of ${owner.id}, not ${reference.id}.` });
        }
      }
    }
  }
  for (const reference of stepReferences.get(RESULTS) ?? []) {
    if (compensations.has(reference.id)) problems.push({ code: 'reference_not_upstream', path: reference.path, message: `${reference.id} is a compensation step; results cannot use it.` });
  }
}

function ancestors(id: string, graph: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [...(graph.get(id) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(graph.get(next) ?? []));
  }
  return seen;
}

/** Compensation step id -> the steps that name it in on_failure; reports bad on_failure values. */
function compensationsOf(document: WorkflowDocument, stepsById: ReadonlyMap<string, Step>, problems: Problem[]): Map<string, Step[]> {
  const out = new Map<string, Step[]>();
  for (const step of document.steps) {
    if (step.onFailure === undefined) continue;
    const path = ['steps', step.index, 'on_failure'];
    if (step.onFailure === step.id) problems.push({ code: 'invalid_value', path, message: 'A step cannot be its own compensation.' });
    else if (!stepsById.has(step.onFailure)) problems.push({ code: 'unknown_step_reference', path, message: `There is no step ${step.onFailure}.` });
    else out.set(step.onFailure, [...(out.get(step.onFailure) ?? []), step]);
  }
  return out;
}

function webhookProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL';
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? undefined : `${parsed.protocol} is not http or https`;
}

/**
 * Every problem of a workflow document at once, each with a stable code and a path: its shape,
 * then what it names in the project (actions, outputs, variables, secrets) and how its steps
 * depend on each other. An empty list means it can be deployed.
 */
export function validateWorkflow(raw: JsonValue, context: ValidationContext): Problem[] {
  const problems = shapeProblems(raw);
  const document = readDocument(raw);
  const stepsById = new Map<string, Step>();
  for (const step of document.steps) {
    if (stepsById.has(step.id)) problems.push({ code: 'duplicate_step_id', path: ['steps', step.index, 'id'], message: `Another step is already called ${step.id}.` });
    else stepsById.set(step.id, step);
  }
  const rawSteps = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw['steps'] : undefined;
  if (Array.isArray(rawSteps) && rawSteps.length === 0) {
    problems.push({ code: 'no_steps', path: ['steps'], message: 'A workflow needs at least one step.' });
  }
  const actions = new Map<Step, ActionVersion>();
  for (const step of document.steps) {
    if (!ACTION_REFERENCE.test(step.action)) continue; // missing or malformed: a shape problem says so
    const action = resolveAction(step.action, ['steps', step.index, 'action'], context, problems);
    if (action) actions.set(step, action);
  }
  const triggerAction = document.trigger?.type === 'action' && ACTION_REFERENCE.test(document.trigger.action) ? resolveAction(document.trigger.action, ['trigger', 'action'], context, problems) : undefined;
  const compensations = compensationsOf(document, stepsById, problems);
  const analysis: Analysis = {
    problems, context, document, stepsById, actions,
    triggerOutputs: triggerOutputsOf(document.trigger, triggerAction, context),
    stepReferences: new Map([...document.steps, RESULTS].map((step) => [step, []])),
  };
  checkTrigger(analysis, triggerAction);
  for (const step of document.steps) checkStep(step, analysis, compensations.has(step.id));
  for (const [name, value] of Object.entries(document.results)) {
    checkValue(value, ['results', name], { runValues: true, secrets: false, compensation: false, where: 'results' }, analysis);
  }
  checkGraph(analysis, compensations);
  checkSignals(document, problems);
  if (document.onFinish) {
    const problem = webhookProblem(document.onFinish.webhook);
    if (problem) problems.push({ code: 'bad_webhook_url', path: ['on_finish', 'webhook'], message: `The webhook must be an http(s) URL: ${problem}.` });
  }
  return problems;
}
