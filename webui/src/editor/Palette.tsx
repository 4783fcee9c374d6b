import { ActionIcon, Group, ScrollArea, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { useState } from 'react';
import type { ActionSummary } from '../api/library.js';
import { ACTION_DRAG_TYPE } from './Canvas.js';

/** The library as a palette: drag an action onto the canvas, or press its Add button (keyboard). */
export function Palette({ actions, onAdd }: { actions: readonly ActionSummary[]; onAdd: (actionId: string) => void }) {
  const [search, setSearch] = useState('');
  const words = search.trim().toLowerCase();
  const shown = actions.filter((action) => action.kind !== 'Trigger' && (!words || `${action.id} ${action.name} ${action.description} ${action.categories.join(' ')}`.toLowerCase().includes(words)));
  return (
    <section aria-label="Library palette">
      <Stack gap="xs">
        <TextInput label="Search actions" placeholder="Name, description, category" value={search} onChange={(event) => setSearch(event.currentTarget.value)} size="xs" />
        <ScrollArea.Autosize mah={420}>
          <Stack gap={4} role="list" aria-label="Actions">
            {shown.length === 0 && <Text size="xs" c="dimmed">{actions.length ? 'No action matches.' : 'The library is empty: build actions from a repository first.'}</Text>}
            {shown.map((action) => (
              <Group key={action.id} role="listitem" data-palette-action={action.id} draggable wrap="nowrap" justify="space-between" gap={4}
                onDragStart={(event) => {
                  event.dataTransfer.setData(ACTION_DRAG_TYPE, action.id);
                  event.dataTransfer.setData('text/plain', action.id);
                  event.dataTransfer.effectAllowed = 'copy';
                }}
                style={{ cursor: 'grab', border: '1px solid var(--mantine-color-default-border)', borderRadius: 4, padding: '4px 6px' }}>
                <Stack gap={0} style={{ minWidth: 0 }}>
                  <Text size="sm" fw={600} truncate>{action.name}</Text>
                  <Text size="xs" c="dimmed" truncate>{action.id}@{action.version}</Text>
                </Stack>
                <Tooltip label={`Add ${action.id}`}>
                  <ActionIcon variant="light" aria-label={`Add ${action.id}`} onClick={() => onAdd(action.id)}>+</ActionIcon>
                </Tooltip>
              </Group>
            ))}
          </Stack>
        </ScrollArea.Autosize>
      </Stack>
    </section>
  );
}
