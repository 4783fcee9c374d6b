/*
 * How many replicas a version wants (docs/kubernetes-site.md, "Scaling"): the runner sets them
 * from its calls in flight, `target` per replica, between 1 (while there are calls) and `max`;
 * scale to zero is the idle timer's. Pure.
 */

export type Demand = { readonly target: number; readonly max: number };

/** Replicas for this many calls at once. */
export function replicasFor(calls: number, demand: Demand): number {
  return Math.min(demand.max, Math.max(1, Math.ceil(calls / demand.target)));
}

/** More replicas when the calls in flight exceed what the current ones take; undefined when they suffice. */
export function scaleUpTo(current: number, inFlight: number, demand: Demand): number | undefined {
  const wanted = replicasFor(inFlight, demand);
  return wanted > current ? wanted : undefined;
}

/** Fewer replicas when the busiest moment of the last window needed fewer (never below 1: zero is the idle timer's); undefined to keep them. */
export function scaleDownTo(current: number, peak: number, demand: Demand): number | undefined {
  const wanted = replicasFor(peak, demand);
  return current > 1 && wanted < current ? wanted : undefined;
}
