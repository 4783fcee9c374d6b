import { Button, Code, Drawer, Group, ScrollArea, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useApi } from '../../api/session.js';
import { draftOf, exportYaml, getVersion, useVersions } from '../../api/workflows.js';
import type { WorkflowDraft } from '../../editor/draft.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';

/** The deployed versions: view one (read-only YAML), or take it back as the draft. */
export function VersionsDrawer({ opened, onClose, workflowId, readOnly, onRestore }: {
  opened: boolean; onClose: () => void; workflowId: string; readOnly: boolean; onRestore: (draft: WorkflowDraft) => void;
}) {
  const client = useApi();
  const versions = useVersions(workflowId, opened);
  const [shown, setShown] = useState<{ version: number; yaml: string }>();
  const [error, setError] = useState<unknown>();
  return (
    <Drawer opened={opened} onClose={() => { setShown(undefined); onClose(); }} title="Versions" position="right" size="lg">
      <Stack>
        <ErrorAlert error={versions.error ?? error} />
        {versions.data && versions.data.length === 0 && <Text size="sm">No version yet: Deploy freezes the draft as version 1.</Text>}
        {versions.data && versions.data.length > 0 && (
          <Table aria-label="Versions">
            <Table.Thead><Table.Tr><Table.Th>Version</Table.Th><Table.Th>Deployed</Table.Th><Table.Th /></Table.Tr></Table.Thead>
            <Table.Tbody>
              {versions.data.map((version) => (
                <Table.Tr key={version.version} data-version={version.version}>
                  <Table.Td>{version.version}</Table.Td>
                  <Table.Td><Text size="xs">{new Date(version.created_at).toLocaleString()} by {version.created_by}</Text></Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Button size="xs" variant="default" aria-label={`View version ${version.version}`} onClick={async () => {
                        setError(undefined);
                        try {
                          setShown({ version: version.version, yaml: await exportYaml(client, workflowId, version.version) });
                        } catch (caught) {
                          setError(caught);
                        }
                      }}>View</Button>
                      {!readOnly && (
                        <Button size="xs" variant="light" aria-label={`Restore version ${version.version} as draft`} onClick={async () => {
                          setError(undefined);
                          try {
                            const detail = await getVersion(client, workflowId, version.version);
                            onRestore(draftOf((detail as unknown as { document: Parameters<typeof draftOf>[0] }).document));
                          } catch (caught) {
                            setError(caught);
                          }
                        }}>Restore as draft</Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {shown && (
          <section aria-label={`Version ${shown.version}`}>
            <Text fw={600} size="sm">Version {shown.version} (read only)</Text>
            <ScrollArea.Autosize mah={400}><Code block>{shown.yaml}</Code></ScrollArea.Autosize>
          </section>
        )}
      </Stack>
    </Drawer>
  );
}
