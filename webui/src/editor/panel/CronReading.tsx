import { Text } from '@mantine/core';
import { checkSchedule } from '@trellis/workflow-language/schedule';
import cronstrue from 'cronstrue';

/** What a cron says, in words ("Every 5 minutes"), or why it is not a schedule Trellis runs. */
export function readCron(cron: string): { ok: true; text: string } | { ok: false; text: string } {
  if (cron.trim() === '') return { ok: false, text: 'No schedule yet: write 5 fields (minute hour day month weekday), e.g. */5 * * * *' };
  // Trellis's own check first: cronstrue reads forms Trellis refuses (@daily, L, W, #, ?).
  // (In UTC: a wrong time zone is the time zone field's problem, not the cron's.)
  const check = checkSchedule(cron, 'UTC');
  if (!check.ok && check.code === 'bad_cron') return { ok: false, text: `Not a valid schedule: ${check.reason}` };
  try {
    return { ok: true, text: cronstrue.toString(cron, { use24HourTimeFormat: true, verbose: false }) };
  } catch (error) {
    return { ok: false, text: `Not a valid schedule: ${String(error).replace(/^Error: /, '')}` };
  }
}

export function CronReading({ cron, timezone }: { cron: string; timezone?: string | undefined }) {
  const reading = readCron(cron);
  return (
    <Text size="sm" c={reading.ok ? undefined : 'red.8'} data-cron-reading={reading.ok ? reading.text : ''} data-cron-valid={reading.ok} aria-live="polite">
      {reading.ok ? `${reading.text}${timezone ? ` (${timezone})` : ' (UTC)'}` : reading.text}
    </Text>
  );
}

/** Is this an IANA time zone the runner knows? */
export function timezoneError(timezone: string | undefined): string | undefined {
  if (!timezone) return undefined;
  const check = checkSchedule('* * * * *', timezone);
  return check.ok ? undefined : check.reason;
}
