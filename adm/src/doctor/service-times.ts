import type { BuilderTimes } from './builds.js';

/** The services' own timing settings, read from the same variables they read (their defaults otherwise). */
export type ServiceTimes = { readonly runnerLeaseMs: number; readonly builder: BuilderTimes };

function millisFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = Number(env[name]);
  return env[name] && Number.isFinite(value) && value > 0 ? value : fallback;
}

export function serviceTimesFromEnv(env: NodeJS.ProcessEnv): ServiceTimes {
  return {
    runnerLeaseMs: millisFrom(env, 'TRELLIS_RUNNER_LEASE_MS', 10_000),
    builder: {
      leaseMs: millisFrom(env, 'TRELLIS_BUILD_LEASE_MS', 30_000),
      pollMs: millisFrom(env, 'TRELLIS_BUILD_POLL_MS', 10_000),
      timeoutMs: millisFrom(env, 'TRELLIS_BUILD_TIMEOUT_MS', 15 * 60_000),
    },
  };
}
