import { describe, expect, it } from 'vitest';
import { readCron, timezoneError } from './CronReading.js';

describe('the human reading of a cron', () => {
  it('reads a schedule Trellis runs and refuses what it does not', () => {
    expect(readCron('*/5 * * * *')).toEqual({ ok: true, text: 'Every 5 minutes' });
    expect(readCron('0 9 * * MON-FRI')).toEqual({ ok: true, text: 'At 09:00, Monday through Friday' });
    expect(readCron('@daily')).toMatchObject({ ok: false, text: expect.stringMatching(/^Not a valid schedule/) as unknown });
    expect(readCron('0 0 31 2 *')).toMatchObject({ ok: false });
    expect(readCron('')).toMatchObject({ ok: false });
    expect(timezoneError('Europe/Paris')).toBeUndefined();
    expect(timezoneError('Mars/Olympus')).toBeDefined();
  });
});
