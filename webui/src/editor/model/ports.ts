import type { ActionSummary } from '../../api/library.js';
import { ANY, io, isIoType, listOf, typeOfLiteral, type Target, type ValueType } from '@trellis/workflow-language/value-types';
import type { DraftStep, DraftTrigger, Json } from '../draft.js';

/*
 * The ports of the canvas's nodes: what each node gives (outputs, with the type a reference to
 * them carries) and what each step takes (its action's inputs, with the type they accept).
 */

export type OutPort = { name: string; type: ValueType; help?: string };
export type InPort = { name: string; target: Target; optional: boolean; help?: string };

/** `id` of `id` or `id@1.2.0`. */
export function actionIdOf(reference: string | undefined): string | undefined {
  if (!reference) return undefined;
  const at = reference.indexOf('@');
  return at < 0 ? reference : reference.slice(0, at);
}

export function actionOf(step: Pick<DraftStep, 'action'>, actions: readonly ActionSummary[]): ActionSummary | undefined {
  const id = actionIdOf(step.action);
  return id === undefined ? undefined : actions.find((action) => action.id === id);
}

const portType = (type: string, values?: readonly string[]): ValueType => (isIoType(type) ? io(type, values) : ANY);

/** What a run's `${{ trigger.<name> }}` reads. */
export function triggerOutputs(trigger: DraftTrigger | undefined, actions: readonly ActionSummary[]): OutPort[] {
  if (!trigger || typeof trigger !== 'object') return [];
  switch (trigger.type) {
    case 'http':
    case 'manual':
      return (Array.isArray(trigger.inputs) ? trigger.inputs : []).filter((input) => typeof input?.name === 'string').map((input) => ({
        name: input.name, type: portType(input.type, input.values), ...(input.help ? { help: input.help } : {}),
      }));
    case 'schedule':
      return Object.entries(trigger.inputs ?? {}).map(([name, value]) => ({ name, type: literalType(value) }));
    case 'action': {
      const action = actions.find((candidate) => candidate.id === actionIdOf(trigger.action));
      return (action?.outputs ?? []).map((output) => ({ name: output.name, type: portType(output.type, output.values), help: output.help }));
    }
    default:
      return [];
  }
}

/** A schedule's input: its literal's type, or any value when it is a `${{ }}` (read at each tick). */
function literalType(value: Json): ValueType {
  return typeof value === 'string' && value.includes('${{') ? ANY : typeOfLiteral(value);
}

/** A step's outputs; lists of them when the step has `foreach`. */
export function stepOutputs(step: DraftStep, actions: readonly ActionSummary[]): OutPort[] {
  const action = actionOf(step, actions);
  const each = step.foreach !== undefined;
  return (action?.outputs ?? []).map((output) => {
    const type = portType(output.type, output.values);
    return { name: output.name, type: each ? listOf(type) : type, help: output.help };
  });
}

/** A step's inputs as they can be filled (those the platform sets are no ports). */
export function stepInputs(step: DraftStep, actions: readonly ActionSummary[]): InPort[] {
  const action = actionOf(step, actions);
  return (action?.inputs ?? []).filter((input) => !input.injected).map((input) => ({
    name: input.name,
    target: { type: isIoType(input.type) ? input.type : 'json', ...(input.values ? { values: input.values } : {}) },
    optional: input.optional || input.default !== undefined || input.has_secret_default,
    help: input.help,
  }));
}
