/*
 * The run's timeline (a Gantt): one bar per attempt of each step, placed from the run's start.
 * A bar still running reaches `now`; the scale is the run's span (at least one second, so a
 * run of a few milliseconds still draws readable bars).
 */

type Timed = { started_at: string | null; finished_at: string | null };
type Attempted = Timed & { id: string; status: string; attempts: readonly (Timed & { attempt: number; status: string; started_at: string })[] };

export type TimelineBar = {
  step: string;
  /** 0 for a step shown whole (it made no attempt of its own: a wait step, a foreach step). */
  attempt: number;
  status: string;
  startMs: number;
  durationMs: number;
  running: boolean;
  /** Percentages of the scale, for the bar's place and length. */
  left: number;
  width: number;
};

export type Timeline = { spanMs: number; bars: TimelineBar[] };

const at = (text: string | null): number | undefined => (text ? Date.parse(text) : undefined);

export function timelineOf(run: Timed & { created_at?: string }, steps: readonly Attempted[], now: number): Timeline {
  const origin = at(run.started_at) ?? at(run.created_at ?? null) ?? now;
  const end = at(run.finished_at) ?? now;
  const raw: Omit<TimelineBar, 'left' | 'width'>[] = [];
  for (const step of steps) {
    const spans = step.attempts.length > 0
      ? step.attempts.map((attempt) => ({ attempt: attempt.attempt, status: attempt.status, start: at(attempt.started_at), finish: at(attempt.finished_at) }))
      : [{ attempt: 0, status: step.status, start: at(step.started_at), finish: at(step.finished_at) }];
    for (const span of spans) {
      if (span.start === undefined) continue;
      const finish = span.finish ?? Math.max(span.start, end);
      raw.push({ step: step.id, attempt: span.attempt, status: span.status, startMs: Math.max(0, span.start - origin), durationMs: Math.max(0, finish - span.start), running: span.finish === undefined });
    }
  }
  const spanMs = Math.max(1000, end - origin, ...raw.map((bar) => bar.startMs + bar.durationMs));
  return {
    spanMs,
    bars: raw.map((bar) => ({ ...bar, left: (bar.startMs / spanMs) * 100, width: Math.max(0.5, (bar.durationMs / spanMs) * 100) })),
  };
}

/** A duration for people: 850 ms, 2.4 s, 3 min 5 s, 1 h 2 min. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min ${Math.floor((ms % 60_000) / 1000)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
