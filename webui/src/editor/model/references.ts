import { parseTemplate, templateReferences } from '@trellis/workflow-language/template';
import type { Json } from '../draft.js';

/** What a value reads from the run: `trigger.<name>` and `steps.<id>.<output>` (an output may be absent: `steps.a` alone). */
export type ValueSource = { kind: 'trigger'; name: string } | { kind: 'step'; step: string; output: string | undefined };

/** The trigger outputs and step outputs a value refers to, in order (a value that does not parse refers to nothing). */
export function sourcesOf(value: Json | undefined): ValueSource[] {
  if (value === undefined) return [];
  const parsed = parseTemplate(value);
  if (!parsed.ok) return [];
  const sources: ValueSource[] = [];
  for (const reference of templateReferences(parsed.template)) {
    const [first, second] = reference.path;
    if (reference.root === 'trigger' && typeof first === 'string') sources.push({ kind: 'trigger', name: first });
    if (reference.root === 'steps' && typeof first === 'string') sources.push({ kind: 'step', step: first, output: typeof second === 'string' ? second : undefined });
  }
  return sources;
}

/** Does the value read anything of step `id`? */
export function refersToStep(value: Json | undefined, id: string): boolean {
  return sourcesOf(value).some((source) => source.kind === 'step' && source.step === id);
}

/** The reference written into an input when a port is connected to it. */
export function referenceText(source: ValueSource): string {
  if (source.kind === 'trigger') return `\${{ trigger.${source.name} }}`;
  return `\${{ steps.${source.step}.${source.output ?? ''} }}`;
}

/** Is the value exactly this one reference (so that disconnecting it empties the input)? */
export function isOnly(value: Json | undefined, source: ValueSource): boolean {
  if (typeof value !== 'string') return false;
  const found = sourcesOf(value);
  const [only] = found;
  return found.length === 1 && only !== undefined && sameSource(only, source) && /^\s*\$\{\{[^}]*\}\}\s*$/.test(value);
}

export function sameSource(a: ValueSource, b: ValueSource): boolean {
  if (a.kind === 'trigger' && b.kind === 'trigger') return a.name === b.name;
  if (a.kind === 'step' && b.kind === 'step') return a.step === b.step && a.output === b.output;
  return false;
}
