import type { ActionSummary } from '../../api/library.js';
import type { WorkflowDraft } from '../draft.js';

/** A library action as the API lists it, with typed ports: `anAction('add-one', { n: 'integer' }, { n: 'integer' })`. */
export function anAction(id: string, inputs: Record<string, string>, outputs: Record<string, string>, extra: Partial<ActionSummary> = {}): ActionSummary {
  const port = ([name, type]: [string, string]) => ({ name, type, help: '', optional: false, has_secret_default: false });
  return {
    id, version: '1.0.0', kind: 'Processor', name: id, description: '', runtime: 'nodejs', format: 'trellis', digest: 'sha256:0',
    inputs: Object.entries(inputs).map(port), outputs: Object.entries(outputs).map(port), categories: [], resources: {},
    images: {}, logo_url: null, source: { source_id: 's', commit: 'c', folder: 'f', build_id: 'b' }, built_at: '2026-01-01T00:00:00Z', ...extra,
  };
}

export const ACTIONS: ActionSummary[] = [
  anAction('add-one', { n: 'integer' }, { n: 'integer' }),
  anAction('uppercase', { text: 'string' }, { text: 'string' }),
  anAction('make-archive', { name: 'string' }, { archive: 'file' }),
  anAction('halve', { x: 'float' }, { x: 'float' }),
];

/** A draft with a manual trigger declaring `count` (integer) and `title` (string), and the given steps. */
export function aDraft(steps: WorkflowDraft['steps'] = [], extra: Partial<WorkflowDraft> = {}): WorkflowDraft {
  return {
    apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'test-flow',
    trigger: { type: 'manual', inputs: [{ name: 'count', type: 'integer' }, { name: 'title', type: 'string' }] },
    steps, ...extra,
  };
}
