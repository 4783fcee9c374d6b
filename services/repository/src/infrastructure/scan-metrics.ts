import { Counter, Histogram, type Registry } from 'prom-client';

/** Scans counted by how they ended, and how long they took, on the service's registry (/metrics). */
export function makeScanMetrics(registry: Registry) {
  const registers = [registry];
  return {
    scans: new Counter({
      name: 'scans_total',
      help: 'Scan attempts by outcome (done, failed, lost, aborted, error)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    duration: new Histogram({
      name: 'scan_duration_seconds',
      help: 'Time one scan attempt took, by outcome',
      labelNames: ['outcome'] as const,
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300],
      registers,
    }),
  };
}

export type ScanMetrics = ReturnType<typeof makeScanMetrics>;
