import { describe, expect, it } from 'vitest';
import { ActionError } from './action-error.js';
import { failureOf, trimStack } from './failure.js';
import { encodeFrame, makeFrameReader } from './python-runtime.js';

describe('failureOf', () => {
  it('keeps the code of an ActionError, ours or any error named so', () => {
    expect(failureOf(new ActionError('gone', 'not_found'))).toEqual({ code: 'not_found', message: 'gone' });
    expect(failureOf(Object.assign(new Error('x'), { name: 'ActionError', code: 'c' }))).toEqual({ code: 'c', message: 'x' });
  });

  it("keeps the integer code of Ryax's RyaxException (named so, or a subclass of one) as a string", () => {
    class RyaxException extends Error {
      constructor(
        message: string,
        readonly code: number,
      ) {
        super(message);
      }
    }
    class Gone extends RyaxException {}
    expect(failureOf(new RyaxException('no such user', 404))).toEqual({ code: '404', message: 'no such user' });
    expect(failureOf(new Gone('left', 410))).toEqual({ code: '410', message: 'left' });
    expect(failureOf(Object.assign(new Error('named'), { name: 'RyaxException', code: 503 }))).toEqual({ code: '503', message: 'named' });
    expect(failureOf(new RyaxException('not an integer', 4.5))).toMatchObject({ code: 'error', message: 'not an integer' });
    expect(failureOf(Object.assign(new Error('other'), { code: 404 }))).toMatchObject({ code: 'error', message: 'other' });
  });

  it('makes any other error code `error` with its message and a stack', () => {
    const failure = failureOf(new RangeError('too far'));
    expect(failure).toMatchObject({ code: 'error', message: 'too far' });
    expect(failure.stack).toMatch(/^RangeError: too far\n\s+at /);
    expect(failureOf('a string')).toEqual({ code: 'error', message: 'a non-error value was thrown: a string' });
    expect(failureOf(Object.assign(new Error('no code'), { name: 'ActionError' }))).toMatchObject({ code: 'error', message: 'no code' });
  });
});

describe('trimStack', () => {
  it('drops Node internals and keeps at most 20 frames', () => {
    const frames = Array.from({ length: 30 }, (_, n) => `    at f${n} (/action/handler.js:${n}:1)`);
    const stack = ['Error: x', '    at internal (node:internal/process/task_queues:95:5)', ...frames].join('\n');
    const trimmed = trimStack(stack).split('\n');
    expect(trimmed[0]).toBe('Error: x');
    expect(trimmed.filter((line) => line.includes('handler.js'))).toHaveLength(20);
    expect(trimmed.join('\n')).not.toContain('node:internal');
    expect(trimmed.at(-1)).toBe('    … 11 more frames');
  });
});

describe('frames', () => {
  it('reads length-prefixed JSON frames split anywhere', () => {
    const seen: unknown[] = [];
    const read = makeFrameReader((frame) => seen.push(frame));
    const bytes = Buffer.concat([encodeFrame({ type: 'a', id: 1 }), encodeFrame({ type: 'b', text: 'é✓' })]);
    for (let i = 0; i < bytes.length; i += 3) read(bytes.subarray(i, i + 3));
    expect(seen).toEqual([{ type: 'a', id: 1 }, { type: 'b', text: 'é✓' }]);
  });
});
