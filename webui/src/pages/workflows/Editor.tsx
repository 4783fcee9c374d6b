import { Anchor, Badge, Box, Group, Stack, Text, Title } from '@mantine/core';
import { useDisclosure, useDocumentTitle, useHotkeys } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { TrellisApiError } from '@trellis/sdk';
import { useCallback, useMemo, useState } from 'react';
import { Link } from 'react-router';
import type { ActionSummary } from '../../api/library.js';
import { useCan } from '../../api/me.js';
import { useApi, useSession } from '../../api/session.js';
import { deployWorkflow, draftOf, exportYaml, saveDraft, undeployWorkflow, useDeployment, useNames, type WorkflowView } from '../../api/workflows.js';
import { Canvas } from '../../editor/Canvas.js';
import type { EditorContext } from '../../editor/contract.js';
import type { WorkflowDraft } from '../../editor/draft.js';
import { addStep } from '../../editor/model/edit.js';
import { stepNodeId } from '../../editor/model/graph.js';
import { Palette } from '../../editor/Palette.js';
import { ProblemsList } from '../../editor/ProblemsList.js';
import { SidePanel } from '../../editor/SidePanel.js';
import { useEditorState } from '../../editor/useEditorState.js';
import { YamlView, draftYaml } from '../../editor/YamlView.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { StatusBadge } from '../../ui/StatusBadge.js';
import { EditorToolbar } from './EditorToolbar.js';
import { ImportDialog } from './ImportDialog.js';
import { LeaveGuard } from './LeaveGuard.js';
import { VersionsDrawer } from './VersionsDrawer.js';

/** Downloads a text as a file (the export is already in hand: no second request). */
function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/yaml' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The workflow editor: toolbar, palette, canvas, side panel, problems, YAML. */
export function Editor({ workflow, actions }: { workflow: WorkflowView; actions: readonly ActionSummary[] }) {
  const client = useApi();
  const { projectId } = useSession();
  const queryClient = useQueryClient();
  const canEdit = useCan('developer');
  const canDeploy = useCan('operator');
  const readOnly = !canEdit;
  const state = useEditorState(workflow.id, draftOf(workflow), workflow.problems);
  const { draft, change } = state;
  useDocumentTitle(`Trellis · ${draft.name}`);
  const [selected, setSelected] = useState<string | undefined>();
  const [layoutRequest, setLayoutRequest] = useState(0);
  const [showYaml, { toggle: toggleYaml }] = useDisclosure(false);
  const [importing, importDialog] = useDisclosure(false);
  const [versions, versionsDrawer] = useDisclosure(false);
  const [busy, setBusy] = useState<'save' | 'deploy' | 'undeploy' | 'export'>();
  const [error, setError] = useState<unknown>();
  const deployment = useDeployment(workflow.id, workflow.deployment);
  const variables = useNames('variables');
  const secrets = useNames('secrets');
  const context = useMemo<EditorContext>(() => ({ actions, variables: variables.data ?? [], secrets: secrets.data ?? [], readOnly }), [actions, variables.data, secrets.data, readOnly]);

  const edit = useCallback((next: (current: WorkflowDraft) => WorkflowDraft, key?: string) => { if (!readOnly) change(next, key); }, [change, readOnly]);

  const addAction = useCallback((actionId: string) => {
    const { draft: next, stepId } = addStep(draft, actionId);
    edit(() => next);
    setSelected(stepNodeId(stepId));
  }, [draft, edit]);

  const refreshLists = () => {
    void queryClient.invalidateQueries({ queryKey: ['workflows', projectId] });
    void queryClient.invalidateQueries({ queryKey: ['workflow-problems', projectId, workflow.id] });
    void queryClient.invalidateQueries({ queryKey: ['workflow-versions', projectId, workflow.id] });
  };

  /** One toolbar command at a time: the button shows it is busy, a refusal shows above the canvas; true when it went through. */
  const perform = async (kind: NonNullable<typeof busy>, work: () => Promise<void>): Promise<boolean> => {
    setBusy(kind);
    setError(undefined);
    try {
      await work();
      return true;
    } catch (caught) {
      setError(caught);
      return false;
    } finally {
      setBusy(undefined);
    }
  };

  const save = () => perform('save', async () => {
    const saved = await saveDraft(client, workflow.id, draft);
    state.markSaved(draftOf(saved));
    queryClient.setQueryData(['workflow', projectId, workflow.id], saved);
    refreshLists();
    notifications.show({ color: 'green', message: saved.problems.length ? `Draft saved, with ${saved.problems.length} problem(s) to fix before deploying.` : 'Draft saved.' });
  });

  const deploy = async () => {
    if (state.dirty && !(await save())) return;
    await perform('deploy', async () => {
      const answer = await deployWorkflow(client, workflow.id);
      queryClient.setQueryData(['deployment', projectId, workflow.id], answer.deployment ?? null);
      void deployment.refetch();
      refreshLists();
    });
  };

  const undeploy = () => perform('undeploy', async () => {
    await undeployWorkflow(client, workflow.id);
    void deployment.refetch();
    refreshLists();
  });

  // Unsaved changes are exported as they are on screen; a saved draft as Trellis writes it.
  const exportFile = () => perform('export', async () => {
    download(`${draft.name}.yaml`, state.dirty ? draftYaml(draft) : await exportYaml(client, workflow.id));
  });

  // Outside text fields (they keep their own undo); Ctrl+S saves from anywhere.
  useHotkeys(readOnly ? [] : [['mod+Z', state.undo], ['mod+shift+Z', state.redo], ['mod+Y', state.redo]]);
  useHotkeys(readOnly ? [] : [['mod+S', () => void save()]], []);

  const status = deployment.data?.status ?? 'undeployed';
  const deployed = status === 'deployed' || status === 'deploying';
  return (
    <Stack gap="sm">
      <LeaveGuard dirty={state.dirty} />
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Group gap="sm">
          <Title order={1} size="h2">{draft.name}</Title>
          {state.dirty && <Badge color="yellow" variant="light" data-dirty="true">Unsaved changes</Badge>}
          {readOnly && <Badge color="gray" variant="light">Read only</Badge>}
        </Group>
        <Group gap="xs" data-deploy-status={status}>
          <Text size="sm">Deployment</Text>
          <StatusBadge status={status} />
          {deployment.data?.serving_version != null && <Text size="sm" c="dimmed">serving version {deployment.data.serving_version}</Text>}
          {status === 'deployed' && canDeploy && <Anchor component={Link} to={`/workflows/${workflow.id}/run`} size="sm">Start a run</Anchor>}
        </Group>
      </Group>
      {status === 'failed' && deployment.data?.reason && <Text c="red" size="sm" role="status">Deployment failed: {deployment.data.reason}</Text>}
      <EditorToolbar
        readOnly={readOnly} canDeploy={canDeploy} deployed={deployed} busy={busy} showYaml={showYaml}
        canUndo={state.canUndo} canRedo={state.canRedo}
        onSave={() => void save()} onDeploy={() => void deploy()} onUndeploy={() => void undeploy()}
        onUndo={state.undo} onRedo={state.redo} onLayout={() => setLayoutRequest((n) => n + 1)}
        onExport={() => void exportFile()} onImport={importDialog.open} onToggleYaml={toggleYaml} onVersions={versionsDrawer.open}
      />
      <RefusalAlert error={error} />
      <Group align="stretch" wrap="nowrap" gap="sm">
        {!readOnly && <Box w={190} style={{ flexShrink: 0 }}><Palette actions={actions} onAdd={addAction} /></Box>}
        <Stack style={{ flex: 1, minWidth: 0 }} gap="sm">
          <Box h="calc(100vh - 260px)" mih={480}>
            <Canvas draft={draft} actions={actions} problems={state.problems} readOnly={readOnly} selected={selected} onSelect={setSelected} change={edit} layoutRequest={layoutRequest} />
          </Box>
          <ProblemsList problems={state.problems} draft={draft} onSelect={setSelected} validating={state.validating} />
          {showYaml && <YamlView draft={draft} readOnly={readOnly} onChange={(next) => edit(() => next, 'yaml')} />}
        </Stack>
        <Box w={340} style={{ flexShrink: 0 }}>
          <SidePanel draft={draft} problems={state.problems} context={context} selected={selected} onSelect={setSelected} change={edit} />
        </Box>
      </Group>
      <ImportDialog opened={importing} onClose={importDialog.close} workflowId={workflow.id}
        onImported={(view) => {
          state.replaceSaved(draftOf(view));
          queryClient.setQueryData(['workflow', projectId, workflow.id], view);
          refreshLists();
          setLayoutRequest((n) => n + 1);
        }} />
      <VersionsDrawer opened={versions} onClose={versionsDrawer.close} workflowId={workflow.id} readOnly={readOnly}
        onRestore={(document) => {
          edit(() => document);
          setLayoutRequest((n) => n + 1);
          versionsDrawer.close();
        }} />
    </Stack>
  );
}

/** The API's reason, with every problem it names (a deploy refused for its problems lists them). */
function RefusalAlert({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <Stack gap={4}>
      <ErrorAlert error={error} />
      {error instanceof TrellisApiError && error.errors.length > 0 && (
        <Box component="ul" m={0} aria-label="Reasons">
          {error.errors.map((finding, index) => <li key={index}><Text size="sm">{finding.path}: {finding.message}</Text></li>)}
        </Box>
      )}
    </Stack>
  );
}
