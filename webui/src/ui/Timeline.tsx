import { Box, Group, Text } from '@mantine/core';
import { formatDuration, type Timeline as TimelineData } from './gantt.js';

const COLOR: Record<string, string> = {
  succeeded: 'green', failed: 'red', running: 'blue', retrying: 'yellow', waiting: 'grape', canceled: 'orange', skipped: 'gray', pending: 'gray',
};

/**
 * A Gantt of a run: a row per attempt, its bar placed from the run's start; the step, the
 * attempt, its status and its duration are written beside the bar (the colour only repeats them).
 */
export function Timeline({ timeline }: { timeline: TimelineData }) {
  if (timeline.bars.length === 0) return <Text c="dimmed" size="sm">No step has started yet.</Text>;
  return (
    <Box role="list" aria-label="Bars">
      <Group justify="space-between" mb={4}>
        <Text size="xs" c="dimmed">0 s</Text>
        <Text size="xs" c="dimmed">{formatDuration(timeline.spanMs)}</Text>
      </Group>
      {timeline.bars.map((bar) => {
        const color = COLOR[bar.status] ?? 'gray';
        const text = `${bar.step}${bar.attempt > 1 ? ` (attempt ${bar.attempt})` : ''} · ${bar.status} · ${formatDuration(bar.durationMs)}${bar.running ? ' so far' : ''}`;
        return (
          <Box key={`${bar.step}:${bar.attempt}`} role="listitem" data-bar-step={bar.step} data-bar-attempt={bar.attempt} data-status={bar.status} mb={6}>
            <Text size="xs" truncate="end">{text} <Text span size="xs" c="dimmed">from +{formatDuration(bar.startMs)}</Text></Text>
            <Box pos="relative" h={10} style={{ background: 'var(--mantine-color-default-hover)', borderRadius: 3 }}>
              <Box pos="absolute" top={0} h={10}
                style={{ left: `${bar.left}%`, width: `${Math.min(bar.width, 100 - bar.left)}%`, borderRadius: 3, background: `var(--mantine-color-${color}-6)`, opacity: bar.running ? 0.6 : 1 }} />
            </Box>
          </Box>
        );
      })}
    </Box>
  );
}
