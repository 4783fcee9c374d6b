import { mergeAlike, type Check } from './check.js';

/** What each service's probes found: its database and broker, and what its database says (outbox, runs, builds). */
export type ServiceFindings = { readonly service: string; readonly database: Check; readonly broker: Check; readonly data: readonly Check[] };

export type Findings = {
  readonly instance: Check;
  /** The supervisor `up` started, and its processes. */
  readonly platform: Check;
  readonly keys: readonly Check[];
  readonly services: readonly ServiceFindings[];
  /** The queues and dead-letter queues, or why they could not be read. */
  readonly queues: { readonly read: true; readonly checks: readonly Check[] } | { readonly read: false; readonly problem: Check };
  readonly storage: readonly Check[];
};

/**
 * The report in reading order, one line per finding: alike findings of several services merged,
 * and nothing said twice: with the broker down for every service, the management API that fails
 * with it is not a finding of its own.
 */
export function assemble(findings: Findings): Check[] {
  const names = findings.services.map((s) => s.service);
  const brokerDown = findings.services.length > 0 && findings.services.every((s) => s.broker.status === 'fail');
  const queues = findings.queues.read ? findings.queues.checks : brokerDown ? [] : [findings.queues.problem];
  const data = findings.services.flatMap((s) => s.data);
  return [
    findings.instance,
    findings.platform,
    ...findings.keys,
    ...mergeAlike(findings.services.map((s) => s.database), names),
    ...mergeAlike(findings.services.map((s) => s.broker), names),
    ...queues,
    ...mergeAlike(data.filter((c) => c.check === 'outbox'), names),
    ...data.filter((c) => c.check !== 'outbox'),
    ...findings.storage,
  ];
}
