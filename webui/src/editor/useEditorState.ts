import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useMemo, useRef, useState } from 'react';
import { validateDraft } from '../api/workflows.js';
import { useApi, useSession } from '../api/session.js';
import type { DraftProblem, WorkflowDraft } from './draft.js';
import { canRedo, canUndo, record, redo, replacePresent, startHistory, undo, type History } from './model/history.js';

/*
 * The editor's state: the draft with its undo history, what was last saved (to mark unsaved
 * changes), and the draft's problems, asked of studio ~300 ms after each change.
 */
export function useEditorState(workflowId: string, initial: WorkflowDraft, initialProblems: readonly DraftProblem[]) {
  const client = useApi();
  const { projectId } = useSession();
  const [history, setHistory] = useState<History<WorkflowDraft>>(() => startHistory(initial));
  const [saved, setSaved] = useState<WorkflowDraft>(initial);
  const historyRef = useRef(history);
  historyRef.current = history;

  const change = useCallback((next: WorkflowDraft | ((draft: WorkflowDraft) => WorkflowDraft), key?: string) => {
    setHistory((current) => record(current, typeof next === 'function' ? next(current.present) : next, key));
  }, []);
  const doUndo = useCallback(() => setHistory(undo), []);
  const doRedo = useCallback(() => setHistory(redo), []);
  /** The draft as studio saved it (actions pinned): the new baseline, not an edit. */
  const markSaved = useCallback((draft: WorkflowDraft) => {
    setHistory((current) => replacePresent(current, draft));
    setSaved(draft);
  }, []);
  /** A draft from elsewhere (an import, a version restored as draft), saved: an edit that can be undone. */
  const replaceSaved = useCallback((draft: WorkflowDraft) => {
    setHistory((current) => record(current, draft));
    setSaved(draft);
  }, []);

  const draft = history.present;
  const [debounced] = useDebouncedValue(draft, 300);
  const validation = useQuery({
    queryKey: ['validate', projectId, workflowId, debounced],
    queryFn: () => validateDraft(client, debounced, workflowId),
    placeholderData: (previous) => previous,
    staleTime: 5000,
    retry: false,
  });
  const problems = validation.data ?? initialProblems;
  const dirty = useMemo(() => JSON.stringify(draft) !== JSON.stringify(saved), [draft, saved]);

  return {
    draft, problems, validating: validation.isFetching || debounced !== draft, validationError: validation.error,
    change, undo: doUndo, redo: doRedo, canUndo: canUndo(history), canRedo: canRedo(history),
    dirty, markSaved, replaceSaved,
  };
}

export type EditorState = ReturnType<typeof useEditorState>;
