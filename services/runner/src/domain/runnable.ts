import type { JsonValue } from '@trellis/kernel/io';
import { readDocument } from '@trellis/workflow-language/document';

/**
 * What this runner cannot run yet, said plainly at deploy time instead of failing (or never
 * firing) later: foreach runs with the control-flow issue, and schedules and trigger actions
 * fire with it too. Undefined when the document (its JSON text, as
 * deployed) runs here as it is.
 */
export function notRunnableYet(documentJson: string): string | undefined {
  const read = readDocument(JSON.parse(documentJson) as JsonValue);
  const missing: string[] = [];
  const trigger = read.trigger?.type;
  // A manual workflow deploys: nothing fires on its own, and the route that starts its runs comes next.
  if (trigger === 'schedule' || trigger === 'action') missing.push(`${trigger} triggers`);
  const named = (field: string, ids: string[]) => (ids.length > 0 ? [`${field} (step${ids.length > 1 ? 's' : ''} ${ids.join(', ')})`] : []);
  missing.push(...named('foreach', read.steps.filter((step) => step.foreach !== undefined).map((step) => step.id)));
  return missing.length > 0 ? `this runner does not run ${missing.join(', ')} yet` : undefined;
}
