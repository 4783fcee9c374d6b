import { Writable } from 'node:stream';
import winston from 'winston';
import { makeLogger, type Logger } from '../logger.js';

/**
 * A service's logger that keeps every line it writes (JSON, at debug level) in `lines`, for
 * tests that read what a service logged (a leak scan). TEST_LOG_LEVEL also prints them.
 */
export function makeCapturingLogger(service: string): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const transports: winston.transport[] = [new winston.transports.Stream({ stream: capture })];
  if (process.env['TEST_LOG_LEVEL']) transports.push(new winston.transports.Console());
  return { logger: makeLogger({ service, level: 'debug', transports }), lines };
}
