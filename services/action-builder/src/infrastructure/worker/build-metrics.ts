import { Counter, Histogram, type Registry } from 'prom-client';

/** Builds counted by how they ended, and how long they took, on the service's registry (/metrics). */
export function makeBuildMetrics(registry: Registry) {
  const registers = [registry];
  return {
    builds: new Counter({
      name: 'builds_total',
      help: 'Build attempts by outcome (succeeded, failed, canceled, released, stale, gone, error)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    duration: new Histogram({
      name: 'build_duration_seconds',
      help: 'Time one build attempt took, by outcome',
      labelNames: ['outcome'] as const,
      buckets: [1, 2, 5, 10, 30, 60, 120, 300, 600, 1800],
      registers,
    }),
  };
}

export type BuildMetrics = ReturnType<typeof makeBuildMetrics>;
