import { Alert, Button, FileInput, Group, List, Modal, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { useApi } from '../../api/session.js';
import { importYaml, type WorkflowView } from '../../api/workflows.js';
import type { DraftProblem } from '../../editor/draft.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';

/** Each problem where it is in the file: `line 4, column 7: …`. */
function ProblemLines({ problems }: { problems: readonly DraftProblem[] }) {
  return (
    <List size="sm">
      {problems.map((problem, index) => (
        <List.Item key={index}>{problem.line !== undefined ? `line ${problem.line}${problem.column !== undefined ? `, column ${problem.column}` : ''}: ` : `${problem.path}: `}{problem.message} ({problem.code})</List.Item>
      ))}
    </List>
  );
}

/** A YAML file (chosen or pasted) as the new draft of this workflow; what studio cannot read is shown with its line. */
export function ImportDialog({ opened, onClose, workflowId, onImported }: { opened: boolean; onClose: () => void; workflowId: string; onImported: (workflow: WorkflowView) => void }) {
  const client = useApi();
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<DraftProblem[]>([]);
  /** The problems of a document that was imported (saved as a draft) but cannot be deployed yet. */
  const [kept, setKept] = useState<DraftProblem[]>([]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const close = () => {
    setProblems([]);
    setKept([]);
    setError(undefined);
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title="Import YAML" size="lg">
      <Stack>
        <Text size="sm">The document replaces the draft (it is saved; Undo brings the previous draft back).</Text>
        <FileInput label="YAML file" accept=".yaml,.yml,application/yaml,text/yaml" clearable
          onChange={(file) => { if (file) void file.text().then(setText); }} />
        <Textarea label="YAML to import" value={text} onChange={(event) => setText(event.currentTarget.value)} autosize minRows={8} maxRows={20}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }} />
        {problems.length > 0 && (
          <Alert color="red" title="Not imported: the file does not read as a workflow" role="alert">
            <ProblemLines problems={problems} />
          </Alert>
        )}
        {kept.length > 0 && (
          <Alert color="yellow" title={`Imported as the draft, with ${kept.length} problem${kept.length === 1 ? '' : 's'} to fix before deploying`} role="alert">
            <ProblemLines problems={kept} />
          </Alert>
        )}
        <ErrorAlert error={error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>{kept.length > 0 ? 'Close' : 'Cancel'}</Button>
          <Button loading={busy} disabled={!text.trim()} onClick={async () => {
            setBusy(true);
            setProblems([]);
            setError(undefined);
            try {
              const imported = await importYaml(client, workflowId, text);
              if (!imported.ok) setProblems(imported.problems);
              else {
                onImported(imported.workflow);
                setText('');
                setKept([]);
                if (imported.workflow.problems.length > 0) setKept(imported.workflow.problems);
                else close();
              }
            } catch (caught) {
              setError(caught);
            } finally {
              setBusy(false);
            }
          }}>Import</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
