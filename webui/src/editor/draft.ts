import type { JsonValue } from '@trellis/kernel/io';
import type { SiteName } from '@trellis/workflow-language/resources';
import type { IoType } from '@trellis/workflow-language/value-types';

/*
 * The workflow document as the editor holds it: the JSON the API takes and gives (docs/workflows.md),
 * as written, snake_case, optional fields absent. A draft may be wrong in any way a person can make
 * it wrong; studio's validation names the problems, and the editor shows them where they are.
 * Node positions are not part of the document (unknown fields are problems): the canvas lays the
 * graph out itself.
 */

export type Json = JsonValue;

export type DraftInputDeclaration = {
  name: string;
  type: IoType;
  help?: string;
  optional?: boolean;
  values?: string[];
  default?: Json;
};

export type DraftTrigger =
  | { type: 'http'; path: string; timeout?: string; auth?: 'required' | 'none'; inputs?: DraftInputDeclaration[] }
  | { type: 'manual'; inputs?: DraftInputDeclaration[] }
  | { type: 'schedule'; cron: string; timezone?: string; missed?: 'skip' | 'catch_up'; catch_up_limit?: number; inputs?: Record<string, Json> }
  | { type: 'action'; action: string; inputs?: Record<string, Json> };

export type DraftRetry = { attempts: number; backoff?: string; max_delay?: string; on?: string[] };

/** A wait for a signal (with an optional timeout), or a delay (`for`: no signal). */
export type DraftWait = { signal?: string; for?: string; timeout?: string; on_timeout?: 'fail' | 'skip' };

/** cpu: cores (0.5, "500m"); memory: bytes or with a unit ("512Mi"): as written. */
export type DraftResources = { cpu?: number | string; memory?: number | string };

export type DraftStep = {
  id: string;
  title?: string;
  /** `id` or `id@version`; absent on a wait step. */
  action?: string;
  wait?: DraftWait;
  needs?: string[];
  /** `${{ expression }}` giving a boolean. */
  when?: string;
  foreach?: Json;
  parallelism?: number;
  fail_fast?: boolean;
  inputs?: Record<string, Json>;
  retry?: DraftRetry;
  timeout?: string;
  on_failure?: string;
  /** Replaces the action's manifest cpu and memory on the docker and kubernetes sites. */
  resources?: DraftResources;
};

export type WorkflowDraft = {
  apiVersion: 'trellis.dev/v1';
  kind: 'Workflow';
  name: string;
  title?: string;
  description?: string;
  /** Where its actions run; absent: the instance's default. */
  site?: SiteName;
  trigger: DraftTrigger;
  steps: DraftStep[];
  results?: Record<string, Json>;
  on_finish?: { webhook: string };
  timeout?: string;
};

/** A problem as studio names it: `path` is `steps[1].inputs.n`, `trigger.cron`, `results.total`. */
export type DraftProblem = { code: string; path: string; message: string; line?: number; column?: number };

/** The problems at `prefix` or under it (`steps[1]` gives those of the second step and its fields). */
export function problemsAt(problems: readonly DraftProblem[], prefix: string): DraftProblem[] {
  return problems.filter((problem) => problem.path === prefix || problem.path.startsWith(`${prefix}.`) || problem.path.startsWith(`${prefix}[`));
}

/** A new, empty workflow: a manual trigger and no step yet. */
export function emptyDraft(name: string): WorkflowDraft {
  return { apiVersion: 'trellis.dev/v1', kind: 'Workflow', name, trigger: { type: 'manual' }, steps: [] };
}
