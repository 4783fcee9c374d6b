import { Title } from '@mantine/core';

export function BuildPage() {
  return <Title order={1} size="h2">Build</Title>;
}
