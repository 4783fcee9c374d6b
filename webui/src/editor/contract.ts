import type { ActionSummary } from '../api/library.js';
import type { DraftProblem, DraftStep, DraftTrigger, Json, WorkflowDraft } from './draft.js';

/*
 * What the editor page (canvas, toolbar, state, undo/redo) gives the side panels (one form per
 * step, the trigger's settings, the results, the workflow's own fields), and what they give back.
 * A panel never changes the draft itself: it calls onChange with the new value, and the editor
 * records it (one undo entry per change).
 */

/** What the forms need to know of the project. */
export type EditorContext = {
  /** The project's library (latest version of each action, with typed inputs and outputs). */
  actions: readonly ActionSummary[];
  /** Names of the project's variables and secrets (the reference picker offers them). */
  variables: readonly string[];
  secrets: readonly string[];
  /** A viewer or operator: every field is shown, none can be changed. */
  readOnly: boolean;
};

export type StepPanelProps = {
  draft: WorkflowDraft;
  /** The step's place in draft.steps. */
  index: number;
  context: EditorContext;
  /** The problems under `steps[index]` (problemsAt), shown on the field they concern. */
  problems: readonly DraftProblem[];
  onChange: (step: DraftStep) => void;
};

export type TriggerPanelProps = {
  draft: WorkflowDraft;
  context: EditorContext;
  /** The problems under `trigger`. */
  problems: readonly DraftProblem[];
  onChange: (trigger: DraftTrigger) => void;
};

export type ResultsPanelProps = {
  draft: WorkflowDraft;
  context: EditorContext;
  /** The problems under `results`. */
  problems: readonly DraftProblem[];
  onChange: (results: Record<string, Json>) => void;
};

/** The workflow's own fields: name, title, description, site, timeout, on_finish. */
export type WorkflowPanelProps = {
  draft: WorkflowDraft;
  context: EditorContext;
  /** The problems at the top level (name, title, description, site, timeout, on_finish). */
  problems: readonly DraftProblem[];
  onChange: (patch: Partial<Pick<WorkflowDraft, 'name' | 'title' | 'description' | 'site' | 'timeout' | 'on_finish'>>) => void;
};
