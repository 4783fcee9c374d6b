/**
 * How big the reliability suite runs, from TRELLIS_RELIABILITY_SCALE: `short` (the default, part
 * of the README's test command: 100 runs, each fault once, 1,000 fuzzed requests) or `full`
 * (`npm run reliability`: 1,000 runs, faults once each then at random, 10,000 fuzzed requests).
 */
export type Scale = 'short' | 'full';

function scaleFromEnv(value: string | undefined): Scale {
  if (value === undefined || value === '' || value === 'short') return 'short';
  if (value === 'full') return 'full';
  throw new Error(`TRELLIS_RELIABILITY_SCALE is "${value}": it is short (the default) or full`);
}

export const SCALE: Scale = scaleFromEnv(process.env['TRELLIS_RELIABILITY_SCALE']);

/** The value for the scale the suite runs at. */
export const sized = <T>(short: T, full: T): T => (SCALE === 'full' ? full : short);
