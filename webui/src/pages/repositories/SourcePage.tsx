import { Title } from '@mantine/core';

export function SourcePage() {
  return <Title order={1} size="h2">Repository</Title>;
}
