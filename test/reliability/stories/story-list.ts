import type { StoryOutcome } from './results.js';

/**
 * The failure stories of other engines (DESIGN.md section 8, issue 18), what this suite does to
 * reproduce each, and which of the runner's own tests cover the same ground.
 */
export const STORIES = {
  lateReport: {
    story: 'A slow action whose lease expired reports late',
    how: 'a runner process (dist/main.js) paused with SIGSTOP while its step sleeps; another process takes the run over and ends it; SIGCONT: the late outcome is dropped (fenced by the owner epoch), the recorded outcome stays the takeover\'s',
    alsoCoveredBy: 'services/runner/test/engine.int.test.ts: "takes over a run whose owner lost its lease ... the old owner\'s late outcome dropped", "drops the outcome of a stale owner"',
  },
  justStarted: {
    story: 'Recovery of a run just started (start-up recovery must not adopt the runs the process itself just started)',
    how: 'runs accepted by a runner process that is killed -9 at once, their first step claimed but barely called; a restarted process takes HTTP runs from its first second while recovery runs: the dead one\'s runs end taken over once (epoch 2), its own new runs are never adopted (epoch 1, attempt 1 only)',
    alsoCoveredBy: 'test/e2e/runner-failover.e2e.test.ts (kill -9 with 200 runs in flight)',
  },
  twoReplicas: {
    story: 'Two replicas recovering the same run',
    how: 'orphaned runs (their owner\'s lease expired) raced for at the same instant by six claimers (live processes calling claimOrphans, each on a connection of its own) and the runner\'s own takeover loop: each run claimed once (epoch 2); then they all finish, each step recorded once',
    alsoCoveredBy: 'services/runner/test/engine.int.test.ts: "shares 100 runs between two engines" (sharing, not recovery)',
  },
  retryWhileRunning: {
    story: 'A step retried while its first attempt still runs',
    how: 'a ledger action whose attempt 1 hangs past the step\'s timeout; retry: attempt 2 starts only once attempt 1\'s process is gone, both carry the same idempotency key, the side effect is applied once and one outcome recorded',
    alsoCoveredBy: 'services/runner/test/action-crash.int.test.ts: "stops a Node action\'s process when a call times out"',
  },
  deadListen: {
    story: 'A dead LISTEN connection (closed, then silently dead)',
    how: 'a runner process behind a proxy that knows its LISTEN connections: closed ones are noticed and opened again; silenced ones (kept open, nothing forwarded either way) leave the polls in charge - a schedule saved afterwards fires and HTTP runs still start - until the process finds them dead by asking, and opens new ones',
    alsoCoveredBy: 'services/runner/src/infrastructure/read-cache.test.ts (a cache entry lives 10 s at most)',
  },
  crashAfterAccept: {
    story: 'A crash right after accepting a trigger',
    how: 'async HTTP trigger answered 202 by a runner process, then kill -9 of it and its actions: every accepted run finishes (taken over), each step recorded once, its result readable',
    alsoCoveredBy: 'test/e2e/runner-failover.e2e.test.ts',
  },
  dstFallBack: {
    story: 'A DST fall-back hour firing a cron twice',
    how: 'the runner\'s scheduler (fireDueSchedules on its Postgres store and engine) driven by a fake clock over the night of 27 October 2024 in Europe/Paris, by two replicas with skewed clocks: `*/15 * * * *` fires each tick once (the repeated 02:00-02:45 once in CEST and once in CET), `30 2 * * *` once',
    alsoCoveredBy: 'services/runner/src/domain/schedule.test.ts: "the fall-back hour fires once"; services/runner/test/schedules.int.test.ts (each tick once with two processes)',
  },
} satisfies Record<string, Omit<StoryOutcome, 'outcome' | 'figures'>>;

export type StoryName = keyof typeof STORIES;
