import { labelValue } from './names.js';

/*
 * Several runner processes call the same version: each scales up on its own calls, but none may
 * scale down or to zero while another is busy. A busy runner keeps an annotation of its own on
 * the Deployment, `busy.dev.trellis/<runner>: <time>` (until when it counts as busy), renewed
 * while it has calls; a runner about to scale down reads the others'. Pure.
 */

const PREFIX = 'busy.dev.trellis/';

export const busyKeyOf = (runnerId: string): string => `${PREFIX}${labelValue(runnerId) || 'runner'}`;

/** The latest time another runner counts as busy until, when it is later than `now`. */
export function othersBusyUntil(annotations: Readonly<Record<string, string>>, self: string, now: number): number | undefined {
  const mine = busyKeyOf(self);
  const times = Object.entries(annotations)
    .filter(([key]) => key.startsWith(PREFIX) && key !== mine)
    .map(([, value]) => Date.parse(value))
    .filter((time) => Number.isFinite(time) && time > now);
  return times.length === 0 ? undefined : Math.max(...times);
}

/** Marks of runners long past (gone, or idle since): removed so they do not pile up. */
export function staleMarks(annotations: Readonly<Record<string, string>>, self: string, now: number, staleMs: number): string[] {
  const mine = busyKeyOf(self);
  return Object.entries(annotations)
    .filter(([key, value]) => key.startsWith(PREFIX) && key !== mine && !(Date.parse(value) > now - staleMs))
    .map(([key]) => key);
}
