import { Writable } from 'node:stream';
import winston from 'winston';
import { describe, expect, it } from 'vitest';
import { makeLogger } from '@trellis/platform/logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk, _encoding, done) => { lines.push(String(chunk)); done(); } });
  return { lines, logger: makeLogger({ service: 'test', transports: [new winston.transports.Stream({ stream })] }) };
}

describe('logger', () => {
  it('writes one JSON line with the service, and never the value of a secret-looking key, however deep', () => {
    const { lines, logger } = capture();
    logger.child({ request_id: 'r1' }).info('login', {
      username: 'ada', password: 'p4ssw0rd-value', nested: { apiKey: 'key-value', list: [{ token: 'token-value' }] }, Authorization: 'Bearer abc',
    });
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? '');
    expect(line).toMatchObject({ service: 'test', request_id: 'r1', username: 'ada', password: '[redacted]', Authorization: '[redacted]' });
    expect(lines[0]).not.toMatch(/p4ssw0rd-value|key-value|token-value|Bearer abc/);
  });

  it('keeps the message and stack of an error', () => {
    const { lines, logger } = capture();
    logger.error('failed', { error: new Error('disk full') });
    expect(JSON.parse(lines[0] ?? '').error).toMatchObject({ name: 'Error', message: 'disk full', stack: expect.stringContaining('logger.test.ts') });
  });
});
