import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The process's prom-client registry with the HTTP and message metrics every service reports. */
export function makeMetrics(service: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    messagesConsumed: new Counter({
      name: 'messages_consumed_total',
      help: 'Messages handled by a consumer, by outcome (ok, duplicate, retried, dead_lettered)',
      labelNames: ['queue', 'type', 'outcome'] as const,
      registers,
    }),
    messageHandlingDuration: new Histogram({
      name: 'message_handling_duration_seconds',
      help: 'Time spent handling one message',
      labelNames: ['queue', 'type'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
      registers,
    }),
    messagesPublished: new Counter({
      name: 'messages_published_total',
      help: 'Messages published and confirmed by the broker',
      labelNames: ['exchange', 'type'] as const,
      registers,
    }),
    publishFailures: new Counter({
      name: 'message_publish_failures_total',
      help: 'Publications the broker did not confirm (they are retried)',
      labelNames: ['exchange'] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof makeMetrics>;

/**
 * A background job's attempts (scans, builds) counted by how they ended and timed, on a
 * service's registry: `<plural>_total{outcome}` and `<singular>_duration_seconds{outcome}`.
 */
export function makeJobMetrics(registry: Registry, job: { singular: string; plural: string; outcomes: readonly string[]; buckets: number[] }) {
  const registers = [registry];
  return {
    attempts: new Counter({
      name: `${job.plural}_total`,
      help: `${job.singular.charAt(0).toUpperCase()}${job.singular.slice(1)} attempts by outcome (${job.outcomes.join(', ')})`,
      labelNames: ['outcome'] as const,
      registers,
    }),
    duration: new Histogram({
      name: `${job.singular}_duration_seconds`,
      help: `Time one ${job.singular} attempt took, by outcome`,
      labelNames: ['outcome'] as const,
      buckets: job.buckets,
      registers,
    }),
  };
}

export type JobMetrics = ReturnType<typeof makeJobMetrics>;
