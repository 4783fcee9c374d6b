import { Badge, Group, List, Stack, Text, Title } from '@mantine/core';
import type { ScanProblem } from '../../api/repositories.js';
import { problemPlace } from './sourceForm.js';

/** Every problem of the last scan, where it is (file:line) and what it is. */
export function ScanProblems({ problems }: { problems: readonly ScanProblem[] }) {
  return (
    <Stack component="section" aria-label="Problems" gap="xs">
      <Title order={2} size="h4">Problems</Title>
      {problems.length === 0 ? <Text c="dimmed">None: every manifest found was read.</Text> : (
        <List spacing="xs" listStyleType="none" styles={{ root: { paddingLeft: 0 } }}>
          {problems.map((problem, index) => (
            <List.Item key={`${problem.file}:${problem.line}:${problem.column}:${index}`} data-problem-file={problem.file}>
              <Group gap="xs" align="baseline" wrap="wrap">
                <Text ff="monospace" size="sm" fw={600}>{problemPlace(problem)}</Text>
                {problem.column > 0 && <Text size="xs" c="dimmed">column {problem.column}</Text>}
                <Badge color="red" variant="light" tt="none">{problem.code}</Badge>
                <Text size="sm">{problem.message}</Text>
              </Group>
            </List.Item>
          ))}
        </List>
      )}
    </Stack>
  );
}
