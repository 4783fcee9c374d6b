import { Anchor, List, Text } from '@mantine/core';
import type { DraftProblem, WorkflowDraft } from './draft.js';
import { stepNodeId } from './model/graph.js';

/** The node a problem belongs to: `steps[2]…` → that step, `trigger…`, `results…`; others are the workflow's own. */
export function nodeOfProblem(problem: DraftProblem, draft: WorkflowDraft): string | undefined {
  const step = /^steps\[(\d+)\]/.exec(problem.path);
  if (step) {
    const found = draft.steps?.[Number(step[1])];
    return found ? stepNodeId(found.id) : undefined;
  }
  if (problem.path === 'trigger' || problem.path.startsWith('trigger.')) return 'trigger';
  if (problem.path === 'results' || problem.path.startsWith('results.')) return 'results';
  return undefined;
}

/** Every problem of the draft; one click selects what it concerns. */
export function ProblemsList({ problems, draft, onSelect, validating }: { problems: readonly DraftProblem[]; draft: WorkflowDraft; onSelect: (nodeId: string | undefined) => void; validating: boolean }) {
  return (
    <section aria-label="Problems" data-problem-count={problems.length} data-validating={validating}>
      <Text fw={600} size="sm">{problems.length === 0 ? 'No problems: the workflow can be deployed.' : `${problems.length} problem${problems.length === 1 ? '' : 's'}`}</Text>
      <List size="xs" spacing={2}>
        {problems.map((problem, index) => (
          <List.Item key={`${problem.path}-${problem.code}-${index}`} data-problem-code={problem.code} data-problem-path={problem.path}>
            <Anchor component="button" type="button" size="xs" onClick={() => onSelect(nodeOfProblem(problem, draft) ?? 'workflow')}>
              {problem.path || '(document)'}{problem.line !== undefined ? ` (line ${problem.line})` : ''}
            </Anchor>{' '}
            <Text span size="xs">{problem.message} ({problem.code})</Text>
          </List.Item>
        ))}
      </List>
    </section>
  );
}
