import type { JsonValue } from '@trellis/kernel/io';
import { readDocument } from '@trellis/workflow-language/document';

/**
 * What this runner cannot run yet, said plainly at deploy time instead of failing (or never
 * firing) later: schedules fire with the control-flow issue. Undefined when the document (its JSON text, as
 * deployed) runs here as it is.
 */
export function notRunnableYet(documentJson: string): string | undefined {
  const read = readDocument(JSON.parse(documentJson) as JsonValue);
  const missing: string[] = [];
  const trigger = read.trigger?.type;
  // A manual workflow deploys: nothing fires on its own, and the route that starts its runs comes next.
  // Trigger actions run (application/trigger-listeners.ts).
  if (trigger === 'schedule') missing.push(`${trigger} triggers`);
  return missing.length > 0 ? `this runner does not run ${missing.join(', ')} yet` : undefined;
}
