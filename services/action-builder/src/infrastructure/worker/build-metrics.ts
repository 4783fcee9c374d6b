import type { Registry } from 'prom-client';
import { makeJobMetrics, type JobMetrics } from '@trellis/platform/metrics';

/** Builds counted by how they ended, and how long they took (/metrics: builds_total, build_duration_seconds). */
export const makeBuildMetrics = (registry: Registry): JobMetrics => makeJobMetrics(registry, {
  singular: 'build', plural: 'builds', outcomes: ['succeeded', 'failed', 'canceled', 'released', 'stale', 'gone', 'error'], buckets: [1, 2, 5, 10, 30, 60, 120, 300, 600, 1800],
});

export type BuildMetrics = JobMetrics;
