import { Button, Group } from '@mantine/core';

export type EditorToolbarProps = {
  readOnly: boolean;
  canDeploy: boolean;
  deployed: boolean;
  busy: string | undefined;
  showYaml: boolean;
  canUndo: boolean;
  canRedo: boolean;
  onSave: () => void;
  onDeploy: () => void;
  onUndeploy: () => void;
  onUndo: () => void;
  onRedo: () => void;
  onLayout: () => void;
  onExport: () => void;
  onImport: () => void;
  onToggleYaml: () => void;
  onVersions: () => void;
};

/** The editor's commands; those that change the draft are a developer's, Deploy and Undeploy an operator's. */
export function EditorToolbar(props: EditorToolbarProps) {
  const { readOnly, canDeploy, deployed, busy } = props;
  return (
    <Group role="toolbar" aria-label="Editor" gap="xs" wrap="wrap">
      {!readOnly && <Button size="xs" onClick={props.onSave} loading={busy === 'save'} title="Ctrl+S">Save draft</Button>}
      {canDeploy && <Button size="xs" color="blue" onClick={props.onDeploy} loading={busy === 'deploy'}>Deploy</Button>}
      {canDeploy && deployed && <Button size="xs" color="orange" variant="light" onClick={props.onUndeploy} loading={busy === 'undeploy'}>Undeploy</Button>}
      {!readOnly && <Button size="xs" variant="default" onClick={props.onUndo} disabled={!props.canUndo} title="Ctrl+Z">Undo</Button>}
      {!readOnly && <Button size="xs" variant="default" onClick={props.onRedo} disabled={!props.canRedo} title="Ctrl+Shift+Z">Redo</Button>}
      <Button size="xs" variant="default" onClick={props.onLayout}>Auto-layout</Button>
      <Button size="xs" variant="default" onClick={props.onExport} loading={busy === 'export'}>Export YAML</Button>
      {!readOnly && <Button size="xs" variant="default" onClick={props.onImport}>Import YAML</Button>}
      <Button size="xs" variant={props.showYaml ? 'filled' : 'default'} aria-pressed={props.showYaml} onClick={props.onToggleYaml}>YAML</Button>
      <Button size="xs" variant="default" onClick={props.onVersions}>Versions</Button>
    </Group>
  );
}
