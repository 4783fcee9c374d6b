import { Badge, Card, Chip, Group, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue, useDocumentTitle } from '@mantine/hooks';
import { useState } from 'react';
import { Link } from 'react-router';
import { useActions } from '../../api/library.js';
import { ErrorAlert } from '../../ui/ErrorAlert.js';
import { ActionLogo } from './ActionLogo.js';

/** The project's action library: search, categories, a card per action. */
export function LibraryPage() {
  useDocumentTitle('Trellis · Library');
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const [category, setCategory] = useState<string>('');
  const all = useActions({});
  const shown = useActions({ search: debounced.trim(), category });
  const categories = [...new Set((all.data ?? []).flatMap((action) => action.categories))].sort();
  return (
    <Stack>
      <Title order={1} size="h2">Library</Title>
      <Text c="dimmed">The actions built from your repositories, ready for workflows.</Text>
      <TextInput label="Search" placeholder="Name, description or category" value={search} onChange={(event) => setSearch(event.currentTarget.value)} maw={400} />
      {categories.length > 0 && (
        <Chip.Group value={category} onChange={(value) => setCategory(value === category ? '' : String(value))}>
          <Group gap="xs" role="group" aria-label="Categories">
            <Chip value="" checked={category === ''} onClick={() => setCategory('')}>All</Chip>
            {categories.map((name) => <Chip key={name} value={name}>{name}</Chip>)}
          </Group>
        </Chip.Group>
      )}
      <ErrorAlert error={shown.error} />
      {shown.data && shown.data.length === 0 && (
        <Text>{all.data?.length ? 'No action matches.' : 'No action yet: add a repository, scan it and build its actions.'}</Text>
      )}
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} role="list" aria-label="Actions">
        {(shown.data ?? []).map((action) => (
          <Card key={action.id} withBorder component={Link} to={`/library/${encodeURIComponent(action.id)}`} role="listitem" aria-label={action.name} data-action={action.id}>
            <Group wrap="nowrap" align="flex-start">
              <ActionLogo actionId={action.id} name={action.name} hasLogo={Boolean(action.logo_url)} />
              <Stack gap={4}>
                <Text fw={600}>{action.name}</Text>
                <Text size="xs" c="dimmed">{action.id}@{action.version} · {action.kind} · {action.runtime}</Text>
                <Text size="sm" lineClamp={2}>{action.description}</Text>
                <Group gap={4}>{action.categories.map((name) => <Badge key={name} size="xs" variant="outline">{name}</Badge>)}</Group>
              </Stack>
            </Group>
          </Card>
        ))}
      </SimpleGrid>
    </Stack>
  );
}
