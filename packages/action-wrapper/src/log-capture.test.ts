import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { installLogCapture, makeLogCapture, runCaptured } from './log-capture.js';

describe('makeLogCapture', () => {
  it('keeps at most the limit per stream and marks the cut with the bytes dropped', () => {
    const logs = makeLogCapture(10);
    logs.write('stdout', '12345');
    logs.write('stdout', '67890abc');
    logs.write('stderr', Buffer.from('ok'));
    logs.drop('stderr', 5);
    expect(logs.take()).toEqual({ stdout: '1234567890…[truncated 3 bytes]', stderr: 'ok…[truncated 5 bytes]', truncated: true });
    expect(logs.take()).toEqual({ stdout: '', stderr: '', truncated: false });
  });
});

describe('following a capture', () => {
  const aFollower = () => {
    const seen: string[] = [];
    return { seen, follower: { write: (stream: string, bytes: Buffer) => seen.push(`${stream}:${bytes.toString()}`), end: () => seen.push('end') } };
  };

  it('gives a follower what was kept so far, then each kept write, then the end', () => {
    const logs = makeLogCapture(8);
    logs.write('stderr', 'e1');
    logs.write('stdout', 'o1');
    const { seen, follower } = aFollower();
    logs.follow(follower);
    logs.write('stdout', 'o2345678');
    logs.end();
    logs.write('stdout', 'late');
    expect(seen).toEqual(['stdout:o1', 'stderr:e1', 'stdout:o23456', 'end']);
  });

  it('starts what waits for a follower once, when the first comes, and lets a follower go', () => {
    const logs = makeLogCapture();
    const starts: string[] = [];
    logs.whenFollowed(() => starts.push('early'));
    const { seen, follower } = aFollower();
    const stop = logs.follow(follower);
    logs.follow(aFollower().follower);
    logs.whenFollowed(() => starts.push('late'));
    stop();
    logs.write('stdout', 'x');
    expect([starts, seen]).toEqual([['early', 'late'], []]);
  });

  it('ends a follower that comes after the end at once', () => {
    const logs = makeLogCapture();
    logs.write('stdout', 'x');
    logs.end();
    const { seen, follower } = aFollower();
    logs.follow(follower);
    expect(seen).toEqual(['end']);
  });
});

describe('installLogCapture', () => {
  let uninstall: (() => void) | undefined;
  afterEach(() => uninstall?.());

  it('routes console.* and process.stdout/stderr.write of concurrent executions to their own captures', async () => {
    uninstall = installLogCapture().uninstall;
    const one = makeLogCapture();
    const two = makeLogCapture();
    const work = (name: string) => async () => {
      console.log('a', name);
      await sleep(5);
      process.stdout.write(`b ${name}\n`);
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          console.warn('c', name);
          resolve();
        }, 3),
      );
      process.stderr.write(Buffer.from(`d ${name}\n`));
    };
    await Promise.all([runCaptured(one, work('one')), runCaptured(two, work('two'))]);
    expect(one.take()).toEqual({ stdout: 'a one\nb one\n', stderr: 'c one\nd one\n', truncated: false });
    expect(two.take()).toEqual({ stdout: 'a two\nb two\n', stderr: 'c two\nd two\n', truncated: false });
  });

  it('restores the originals after the last uninstall', () => {
    const original = process.stdout.write;
    const first = installLogCapture();
    const second = installLogCapture();
    first.uninstall();
    expect(process.stdout.write).not.toBe(original);
    second.uninstall();
    expect(process.stdout.write).toBe(original);
  });
});
