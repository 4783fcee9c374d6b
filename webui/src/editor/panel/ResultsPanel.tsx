import { Text } from '@mantine/core';
import type { ResultsPanelProps } from '../contract.js';

export function ResultsPanel(_props: ResultsPanelProps) {
  return <Text c="dimmed">The results settings are being written.</Text>;
}
