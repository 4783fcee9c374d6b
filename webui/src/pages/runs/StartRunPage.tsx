import { Title } from '@mantine/core';

export function StartRunPage() {
  return <Title order={1} size="h2">Start a run</Title>;
}
