import { Center, Loader } from '@mantine/core';
import { useParams } from 'react-router';
import { useActions } from '../../api/library.js';
import { useWorkflow } from '../../api/workflows.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { Editor } from './Editor.js';
import { NewWorkflowForm } from './NewWorkflowForm.js';

/** `/workflows/new`: the form that creates a draft; `/workflows/:id`: the editor on it. */
export function EditorPage() {
  const { workflowId } = useParams();
  if (workflowId === undefined) return <NewWorkflowForm />;
  return <LoadedEditor key={workflowId} workflowId={workflowId} />;
}

function LoadedEditor({ workflowId }: { workflowId: string }) {
  const workflow = useWorkflow(workflowId);
  const actions = useActions({});
  if (workflow.error || actions.error) return <ErrorAlert error={workflow.error ?? actions.error} />;
  if (!workflow.data || !actions.data) return <Center h={200}><Loader aria-label="Loading the workflow" /></Center>;
  return <Editor workflow={workflow.data} actions={actions.data} />;
}
