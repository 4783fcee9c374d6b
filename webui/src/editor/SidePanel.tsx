import { Tabs, Text } from '@mantine/core';
import type { EditorContext } from './contract.js';
import { problemsAt, type DraftProblem, type WorkflowDraft } from './draft.js';
import { renameReferences } from './model/edit.js';
import { stepIdOfNode } from './model/graph.js';
import { ResultsPanel } from './panel/ResultsPanel.js';
import { StepPanel } from './panel/StepPanel.js';
import { TriggerPanel } from './panel/TriggerPanel.js';
import { WorkflowPanel } from './panel/WorkflowPanel.js';

export type SidePanelProps = {
  draft: WorkflowDraft;
  problems: readonly DraftProblem[];
  context: EditorContext;
  /** The selected node (`trigger`, `results`, `step:<id>`), or `workflow`. */
  selected: string | undefined;
  onSelect: (nodeId: string | undefined) => void;
  change: (next: (draft: WorkflowDraft) => WorkflowDraft, key: string) => void;
};

/** The forms beside the canvas: the selected step, the trigger, the results, the workflow's own fields. */
export function SidePanel({ draft, problems, context, selected, onSelect, change }: SidePanelProps) {
  const stepId = selected ? stepIdOfNode(selected) : undefined;
  const index = stepId === undefined ? -1 : draft.steps.findIndex((step) => step.id === stepId);
  const tab = index >= 0 ? 'step' : selected === 'trigger' || selected === 'results' ? selected : 'workflow';
  const topLevel = problems.filter((problem) => !/^(steps|trigger|results)([.[]|$)/.test(problem.path));
  return (
    <section aria-label="Side panel">
      <Tabs value={tab} onChange={(value) => onSelect(value === 'workflow' ? 'workflow' : value === 'step' ? selected : value ?? undefined)} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="workflow">Workflow</Tabs.Tab>
          <Tabs.Tab value="trigger">Trigger</Tabs.Tab>
          <Tabs.Tab value="step" disabled={index < 0}>Step</Tabs.Tab>
          <Tabs.Tab value="results">Results</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="workflow" pt="sm">
          <WorkflowPanel draft={draft} context={context} problems={topLevel} onChange={(patch) => change((current) => withPatch(current, patch), 'panel:workflow')} />
        </Tabs.Panel>
        <Tabs.Panel value="trigger" pt="sm">
          <TriggerPanel draft={draft} context={context} problems={problemsAt(problems, 'trigger')} onChange={(trigger) => change((current) => ({ ...current, trigger }), 'panel:trigger')} />
        </Tabs.Panel>
        <Tabs.Panel value="step" pt="sm">
          {index >= 0
            ? <StepPanel key={stepId} draft={draft} index={index} context={context} problems={problemsAt(problems, `steps[${index}]`)}
                onChange={(step) => {
                  const before = draft.steps[index]?.id;
                  change((current) => {
                    const next = { ...current, steps: current.steps.map((candidate, i) => (i === index ? step : candidate)) };
                    // A renamed step: what read it reads it under its new id.
                    return before !== undefined && before !== step.id ? renameReferences(next, before, step.id) : next;
                  }, `panel:step:${index}`);
                  // A renamed step stays selected.
                  if (step.id !== stepId) onSelect(`step:${step.id}`);
                }} />
            : <Text c="dimmed" size="sm">Select a step on the canvas.</Text>}
        </Tabs.Panel>
        <Tabs.Panel value="results" pt="sm">
          <ResultsPanel draft={draft} context={context} problems={problemsAt(problems, 'results')} onChange={(results) => change((current) => withResults(current, results), 'panel:results')} />
        </Tabs.Panel>
      </Tabs>
    </section>
  );
}

/** A patch of the workflow's own fields; `undefined` removes a field. */
function withPatch(draft: WorkflowDraft, patch: Partial<WorkflowDraft>): WorkflowDraft {
  const next: Record<string, unknown> = { ...draft, ...patch };
  for (const [key, value] of Object.entries(patch)) if (value === undefined) delete next[key];
  return next as WorkflowDraft;
}

function withResults(draft: WorkflowDraft, results: WorkflowDraft['results']): WorkflowDraft {
  const { results: _old, ...rest } = draft;
  return results && Object.keys(results).length ? { ...rest, results } : rest;
}
