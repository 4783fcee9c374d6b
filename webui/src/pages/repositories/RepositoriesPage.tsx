import { Title } from '@mantine/core';

export function RepositoriesPage() {
  return <Title order={1} size="h2">Repositories</Title>;
}
