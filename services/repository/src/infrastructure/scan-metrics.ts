import type { Registry } from 'prom-client';
import { makeJobMetrics, type JobMetrics } from '@trellis/platform/metrics';

/** Scans counted by how they ended, and how long they took (/metrics: scans_total, scan_duration_seconds). */
export const makeScanMetrics = (registry: Registry): JobMetrics =>
  makeJobMetrics(registry, { singular: 'scan', plural: 'scans', outcomes: ['done', 'failed', 'lost', 'aborted', 'error'], buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300] });

export type ScanMetrics = JobMetrics;
