import { Button, Code, Group, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import { useCan } from '../../api/me.js';
import { useDeleteVariable, useVariables, type Variable } from '../../api/settings.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { formatTime } from './time.js';
import { VariableDialog } from './VariableDialog.js';
import { valueSummary } from './variable-value.js';

type Dialog = { kind: 'add' } | { kind: 'edit'; variable: Variable } | { kind: 'delete'; variable: Variable } | null;

/** The project's variables with their values; developers and owners add, edit and delete them. */
export function VariablesTab() {
  const canEdit = useCan('developer');
  const variables = useVariables();
  const remove = useDeleteVariable();
  const [dialog, setDialog] = useState<Dialog>(null);
  const close = () => setDialog(null);
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Text size="sm" c="dimmed" maw={640}>Plain configuration your workflows read as <Code>{'${{ vars.NAME }}'}</Code>; anyone in the project can read them. A change reaches deployed workflows on their next run.</Text>
        {canEdit && <Button onClick={() => setDialog({ kind: 'add' })}>Add variable</Button>}
      </Group>
      <ErrorAlert error={variables.error} />
      {variables.data?.length === 0 && (
        <Text>No variable yet.{canEdit ? ' Add one for a URL, a region or a list your workflows share.' : ''}</Text>
      )}
      {variables.data && variables.data.length > 0 && (
        <Table.ScrollContainer minWidth={560}>
          <Table aria-label="Variables" striped highlightOnHover>
            <Table.Thead>
              <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Value</Table.Th><Table.Th>Updated</Table.Th>{canEdit && <Table.Th><VisuallyHidden>Actions</VisuallyHidden></Table.Th>}</Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {variables.data.map((variable) => (
                <Table.Tr key={variable.name} data-variable={variable.name}>
                  <Table.Td><Code>{variable.name}</Code></Table.Td>
                  <Table.Td data-value><Text size="sm" ff="monospace" lineClamp={2} style={{ wordBreak: 'break-all' }}>{valueSummary(variable.value)}</Text></Table.Td>
                  <Table.Td><Text size="sm">{formatTime(variable.updated_at)}</Text></Table.Td>
                  {canEdit && (
                    <Table.Td>
                      <Group gap={4} justify="flex-end" wrap="nowrap">
                        <Button size="compact-sm" variant="subtle" aria-label={`Edit ${variable.name}`} onClick={() => setDialog({ kind: 'edit', variable })}>Edit</Button>
                        <Button size="compact-sm" variant="subtle" color="red" aria-label={`Delete ${variable.name}`} onClick={() => setDialog({ kind: 'delete', variable })}>Delete</Button>
                      </Group>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {dialog?.kind === 'add' && <VariableDialog opened onClose={close} />}
      {dialog?.kind === 'edit' && <VariableDialog opened onClose={close} editing={dialog.variable} />}
      <ConfirmDialog opened={dialog?.kind === 'delete'} onClose={close} confirmLabel="Delete"
        title={`Delete variable ${dialog?.kind === 'delete' ? dialog.variable.name : ''}?`}
        onConfirm={() => (dialog?.kind === 'delete' ? remove.mutateAsync(dialog.variable.name) : Promise.resolve())}>
        Workflows that read it will fail to start until it is set again. The API refuses while a deployed workflow reads it.
      </ConfirmDialog>
    </Stack>
  );
}
