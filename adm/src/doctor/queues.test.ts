import { describe, expect, it } from 'vitest';
import { judgeAlarms, judgeDeadLetters, judgeQueues, type QueueInfo } from './queues.js';

const q = (name: string, messages: number, consumers: number): QueueInfo => ({ name, messages, consumers });
const now = new Date('2026-01-01T12:00:00Z');

describe('queues', () => {
  it('with consumers are ok, with their depth and what waits to retry', () => {
    expect(judgeQueues([q('trellis.studio.events', 2, 1), q('trellis.studio.events.retry.1000ms', 3, 0), q('trellis.studio.events.dead', 0, 0)], 'v')).toEqual([
      { check: 'queue', subject: 'trellis.studio.events', status: 'ok', detail: '2 messages waiting, 3 waiting to retry, 1 consumer' },
    ]);
  });

  it('without any consumer and nothing waiting are one warning: the platform is not running', () => {
    const [only, ...rest] = judgeQueues([q('trellis.studio.events', 0, 0), q('trellis.runner.events', 0, 0)], 'v');
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ status: 'warn', subject: 'every queue of v', detail: 'no consumer on any of the 2 queues (nothing waiting)' });
  });

  it('holding messages nobody consumes fail and name the service to start', () => {
    const checks = judgeQueues([q('trellis.studio.events', 0, 1), q('trellis.runner.events', 4, 0)], 'v');
    expect(checks[1]).toMatchObject({ status: 'fail', subject: 'trellis.runner.events', detail: '4 messages waiting and no consumer' });
    expect(checks[1]?.hint).toMatch(/is runner running\?/);
  });

  it('with a long backlog warn', () => {
    expect(judgeQueues([q('trellis.studio.events', 5000, 1)], 'v')[0]).toMatchObject({ status: 'warn', detail: '5000 messages waiting, 1 consumer: a backlog' });
  });

  it('missing altogether fail', () => {
    expect(judgeQueues([], 'v')[0]).toMatchObject({ status: 'fail', detail: 'no queues declared on the vhost' });
  });
});

describe('dead letters', () => {
  it('none is one ok line', () => {
    expect(judgeDeadLetters([q('trellis.a.events.dead', 0, 0), q('trellis.a.events', 1, 1)], new Map(), now)).toEqual([
      { check: 'dead-letter', subject: 'every queue', status: 'ok', detail: 'no dead-lettered message (1 dead-letter queue)' },
    ]);
  });

  it('say how many, the oldest, which events and why, one line per queue', () => {
    const peeked = new Map([['trellis.studio.events.dead', [
      { type: 'trellis.authorization.v1.ProjectCreated', deadAt: new Date('2026-01-01T11:55:00Z'), reason: 'handler failed 4 times: boom' },
      { type: 'trellis.authorization.v1.ProjectCreated', deadAt: new Date('2026-01-01T11:00:00Z') },
      { type: 'trellis.runner.v1.RunFinished' },
    ]]]);
    const [line] = judgeDeadLetters([q('trellis.studio.events.dead', 3, 0)], peeked, now);
    expect(line).toMatchObject({
      status: 'fail',
      subject: 'trellis.studio.events.dead',
      detail: '3 messages, oldest dead-lettered 60 min ago; events: trellis.authorization.v1.ProjectCreated x2, trellis.runner.v1.RunFinished x1; reason: handler failed 4 times: boom',
    });
    expect(line?.hint).toMatch(/docs\/operations\.md#dead-letters/);
  });

  it('say when only the first were read', () => {
    const peeked = new Map([['x.dead', [{ type: 'T' }]]]);
    expect(judgeDeadLetters([q('x.dead', 120, 0)], peeked, now)[0]?.detail).toBe('120 messages; events (of the first 1): T x1');
  });
});

describe('broker alarms', () => {
  it('none is ok; one blocks every publisher and fails', () => {
    expect(judgeAlarms([])).toMatchObject({ status: 'ok', subject: 'alarms' });
    expect(judgeAlarms([{ node: 'rabbit@h', resource: 'disk' }])).toMatchObject({ status: 'fail', detail: 'disk alarm on rabbit@h: the broker blocks every publisher' });
  });
});
