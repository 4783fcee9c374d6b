import type { JsonValue } from '@trellis/kernel/io';
import { readDocument } from '@trellis/workflow-language/document';

/**
 * What this runner cannot run yet, said plainly at deploy time instead of failing (or never
 * firing) later: nothing today, the place for what comes. Undefined when the document (its JSON
 * text, as deployed) runs here as it is.
 */
export function notRunnableYet(documentJson: string): string | undefined {
  // Every trigger runs now: HTTP, manual (its route), trigger actions (application/trigger-listeners.ts),
  // schedules (application/fire-schedules.ts). The document is still read: a text that is none throws here.
  readDocument(JSON.parse(documentJson) as JsonValue);
  return undefined;
}
