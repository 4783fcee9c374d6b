import type { IoSpec, JsonValue } from '@trellis/kernel/io';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import { readDocument, splitActionReference } from '@trellis/workflow-language/document';
import { parseTemplate, templateReferences, type Template } from '@trellis/workflow-language/template';
import { isIoType, staticFits } from '@trellis/workflow-language/value-types';
import type { PinnedAction } from './deployment.js';
import { resolveInputs, type InputError } from './inputs.js';
import type { TriggerCursorScope } from './trigger-cursor.js';

/*
 * A workflow whose trigger is a library action of kind Trigger (docs/runner.md, "Trigger
 * actions"): which pinned action listens, with which inputs (fixed values, `${{ vars.X }}`,
 * `${{ secrets.X }}`, rendered like a step's), and what an event it emits may start a run with.
 */

export type TriggerAction = {
  readonly action: PinnedAction;
  /** Input name -> its template (a Map: an input may be called `__proto__`). */
  readonly inputs: ReadonlyMap<string, Template>;
  /** The secrets its inputs reference: opened each time it starts listening, never kept. */
  readonly secrets: readonly string[];
  /** Which earlier events (of any version of the workflow) its lastEvent may be (trigger-cursor.ts). */
  readonly cursor: TriggerCursorScope;
};

export type TriggerActionError = { readonly type: 'NotPinned'; readonly reference: string } | { readonly type: 'NotATrigger'; readonly action: string } | { readonly type: 'BadTemplate'; readonly input: string; readonly message: string };

export function describeTriggerActionError(error: TriggerActionError): string {
  switch (error.type) {
    case 'NotPinned':
      return `the trigger action ${error.reference} is not a pinned action version`;
    case 'NotATrigger':
      return `the trigger action ${error.action} is not of kind Trigger`;
    case 'BadTemplate':
      return `trigger.inputs.${error.input}: ${error.message}`;
  }
}

/** The document's action trigger with its pinned action; undefined when the trigger is of another type. */
export function triggerActionOf(documentJson: string, actions: readonly PinnedAction[]): Result<TriggerAction, TriggerActionError> | undefined {
  const trigger = readDocument(JSON.parse(documentJson) as JsonValue).trigger;
  if (trigger?.type !== 'action') return undefined;
  const { id, version } = splitActionReference(trigger.action);
  const action = actions.find((pinned) => pinned.actionId === id && pinned.version === version);
  if (version === undefined || action === undefined) return rejected({ type: 'NotPinned', reference: trigger.action });
  if (action.kind !== 'Trigger') return rejected({ type: 'NotATrigger', action: trigger.action });
  const inputs = new Map<string, Template>();
  const secrets = new Set<string>();
  for (const [name, value] of Object.entries(trigger.inputs)) {
    const parsed = parseTemplate(value);
    if (!parsed.ok) return rejected({ type: 'BadTemplate', input: name, message: parsed.errors[0]?.message ?? 'the template does not parse' });
    inputs.set(name, parsed.template);
    for (const reference of templateReferences(parsed.template)) {
      if (reference.root === 'secrets' && typeof reference.path[0] === 'string') secrets.add(reference.path[0]);
    }
  }
  return ok({ action, inputs, secrets: [...secrets], cursor: { actionId: id, inputs: trigger.inputs } });
}

/**
 * The values the trigger listens with: rendered from the project's variables and secrets only
 * (a trigger has no run yet: `${{ trigger.x }}` or `${{ steps.x }}` is a missing reference),
 * checked against the action's declared inputs, defaults filled in.
 */
export function listenInputs(
  trigger: TriggerAction, values: { readonly variables: ReadonlyMap<string, JsonValue>; readonly secret: (name: string) => string | undefined },
): Result<Record<string, JsonValue>, InputError> {
  return resolveInputs(
    { inputs: trigger.inputs, declaredInputs: trigger.action.inputs },
    { trigger: {}, steps: new Map(), variables: values.variables, secret: values.secret },
  );
}

/**
 * What one event starts a run with: exactly the action's declared outputs (an optional one left
 * out is null), each of its declared type; anything else refuses the event, naming each problem.
 */
export function eventOutputs(declared: readonly IoSpec[], emitted: Readonly<Record<string, JsonValue>>): Result<Record<string, JsonValue>, string> {
  const problems: string[] = [];
  const outputs: Record<string, JsonValue> = {};
  const names = new Set(declared.map((spec) => spec.name));
  for (const name of Object.keys(emitted)) if (!names.has(name)) problems.push(`${name} is not a declared output`);
  for (const spec of declared) {
    const value = Object.hasOwn(emitted, spec.name) ? emitted[spec.name] : undefined;
    if (value === undefined || value === null) {
      if (!spec.optional) problems.push(`${spec.name} (${spec.type}) is required and missing`);
      outputs[spec.name] = null;
      continue;
    }
    if (isIoType(spec.type)) {
      const fit = staticFits(value, { type: spec.type, ...(spec.values ? { values: spec.values } : {}) });
      if (!fit.ok) {
        problems.push(`${spec.name} is ${spec.type}: ${fit.reason}`);
        continue;
      }
    }
    outputs[spec.name] = value;
  }
  return problems.length > 0 ? rejected(problems.join('; ')) : ok(outputs);
}

/** Restart delays of a trigger that stopped: 1 s, doubling to 60 s; a trigger that had listened a healthy minute starts again at 1 s. */
export const RESTART_BACKOFF = { baseMs: 1000, maxMs: 60_000, healthyMs: 60_000 } as const;

/** How long to wait before the next start, given the failures in a row so far (1 for the first). */
export function restartDelayMs(failuresInARow: number, backoff: { readonly baseMs: number; readonly maxMs: number } = RESTART_BACKOFF): number {
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, Math.min(30, failuresInARow - 1)));
}

/** The failures in a row after a listen that lasted `listenedMs`: a healthy one starts the count again. */
export function failuresAfter(previous: number, listenedMs: number, healthyMs: number = RESTART_BACKOFF.healthyMs): number {
  return listenedMs >= healthyMs ? 1 : previous + 1;
}

/** The idempotency key of the run an event starts: the same event (its listen and the wrapper's run id) never starts two. */
export function eventKey(listenId: string, eventRunId: string): string {
  return `trigger:${listenId}:${eventRunId}`;
}
