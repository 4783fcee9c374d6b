import { Title } from '@mantine/core';

export function EditorPage() {
  return <Title order={1} size="h2">Workflow</Title>;
}
