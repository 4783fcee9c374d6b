/**
 * What `trellis-adm doctor` finds: one finding per check and subject, each with what it saw and,
 * when something is wrong, what to do. Warnings do not fail the exit code (they name what will
 * soon be wrong, or what only matters while the platform runs); failures do.
 */
export type CheckStatus = 'ok' | 'warn' | 'fail';

export type Check = {
  /** What was checked: database, broker, queue, dead-letter, outbox, runs, builds, object-store, keys, instance. */
  readonly check: string;
  /** Of what: a service, a queue, the bucket. */
  readonly subject: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** What to do about it, when something is wrong. */
  readonly hint?: string;
};

export function ok(check: string, subject: string, detail: string): Check {
  return { check, subject, status: 'ok', detail };
}

export function warn(check: string, subject: string, detail: string, hint?: string): Check {
  return { check, subject, status: 'warn', detail, ...(hint ? { hint } : {}) };
}

export function fail(check: string, subject: string, detail: string, hint?: string): Check {
  return { check, subject, status: 'fail', detail, ...(hint ? { hint } : {}) };
}

/** 0 only when nothing failed: warnings are allowed. */
export function exitCodeOf(checks: readonly Check[]): number {
  return checks.some((c) => c.status === 'fail') ? 1 : 0;
}

/**
 * Findings that say the same thing of several subjects become one line: a stopped broker is one
 * "every service: connection refused" line, not five. `all` names every subject of that check,
 * so that a finding about all of them says so.
 */
export function mergeAlike(checks: readonly Check[], all: readonly string[]): Check[] {
  const key = (c: Check) => JSON.stringify([c.check, c.status, c.detail, c.hint ?? null]);
  const subjectsOf = new Map<string, string[]>();
  for (const c of checks) subjectsOf.set(key(c), [...(subjectsOf.get(key(c)) ?? []), c.subject]);
  const said = new Set<string>();
  return checks.flatMap((c) => {
    const subjects = subjectsOf.get(key(c)) ?? [c.subject];
    const every = all.length > 1 && subjects.length === all.length && all.every((name) => subjects.includes(name));
    // Some services alike is news for a problem; for an ok (`reachable (12 ms)`) it is chance: those stay apart.
    if (subjects.length === 1 || (c.status === 'ok' && !every)) return [c];
    if (said.has(key(c))) return [];
    said.add(key(c));
    return [{ ...c, subject: every ? 'every service' : subjects.join(', ') }];
  });
}
