import { Title } from '@mantine/core';

export function WorkflowsPage() {
  return <Title order={1} size="h2">Workflows</Title>;
}
