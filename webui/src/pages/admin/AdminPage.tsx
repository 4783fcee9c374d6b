import { Title } from '@mantine/core';

export function AdminPage() {
  return <Title order={1} size="h2">Administration</Title>;
}
