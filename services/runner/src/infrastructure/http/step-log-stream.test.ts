import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type AttemptTail, type LiveOutput, streamStepLogs, type StepLogPage } from './step-log-stream.js';

/** Everything the stream sends until it ends. */
async function readAll(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

/** A source that answers the pages in turn (the last one for ever), recording the `after` it was asked for. */
function pages(...answers: (StepLogPage | undefined)[]) {
  const asked: number[] = [];
  return {
    asked,
    source: async (after: number) => {
      asked.push(after);
      return answers.length > 1 ? answers.shift() : answers[0];
    },
  };
}

const options = { pollMs: 1, maxMs: 60_000, closing: () => false };

describe('a step\'s logs as Server-Sent Events', () => {
  it('sends each ended attempt once, in order, then an end event with the step\'s status', async () => {
    const { source, asked } = pages(
      { attempts: [{ attempt: 1 }], done: false, status: 'running' },
      { attempts: [], done: false, status: 'running' },
      { attempts: [{ attempt: 2 }], done: true, status: 'succeeded' },
      { attempts: [], done: true, status: 'succeeded' },
    );
    const text = await readAll(streamStepLogs(source, 0, options));
    expect(text).toBe(': step logs\n\n'
      + 'id: 1\nevent: attempt\ndata: {"attempt":1}\n\n'
      + 'id: 2\nevent: attempt\ndata: {"attempt":2}\n\n'
      + 'event: end\ndata: {"status":"succeeded"}\n\n');
    expect(asked).toEqual([0, 1, 1, 2]);
  });

  it('ends with a deleted end when the run is gone', async () => {
    expect(await readAll(streamStepLogs(pages(undefined).source, 3, options))).toContain('event: end\ndata: {"status":"deleted"}\n\n');
  });

  it('ends with retry when the server closes or the stream is too old, without an end event', async () => {
    const waiting = { attempts: [{ attempt: 1 }], done: false, status: 'running' };
    const closed = await readAll(streamStepLogs(pages(waiting).source, 0, { ...options, closing: () => true }));
    expect(closed.endsWith('id: 1\nevent: attempt\ndata: {"attempt":1}\n\nretry: 1000\n\n')).toBe(true);
    const old = await readAll(streamStepLogs(pages({ ...waiting, attempts: [] }).source, 0, { ...options, maxMs: -1 }));
    expect(old).toBe(': step logs\n\nretry: 1000\n\n');
  });

  it('sends a comment while nothing happens', async () => {
    const stream = streamStepLogs(pages({ attempts: [], done: false, status: 'running' }).source, 0, { ...options, keepaliveMs: 0 });
    let text = '';
    for await (const chunk of stream) {
      text += String(chunk);
      if (text.includes(': waiting')) break; // leaving the loop destroys the stream
    }
    expect(stream.destroyed).toBe(true);
  });

  it('sends a running attempt\'s output as it comes, all of it before that attempt\'s event, even when its last piece trails the end', async () => {
    const running = pages(
      { attempts: [], done: false, status: 'running' },
      { attempts: [{ attempt: 1 }], done: true, status: 'succeeded' },
      { attempts: [], done: true, status: 'succeeded' },
    );
    let write: (output: LiveOutput) => void = () => {};
    let finish = () => {};
    const tail: AttemptTail = {
      attempt: 1,
      follow: (onOutput, onEnd) => {
        write = onOutput;
        finish = onEnd;
        queueMicrotask(() => onOutput({ stream: 'stdout', text: 'first\n' }));
        return () => {};
      },
    };
    // The poll that finds attempt 1 ended comes before its tail's last piece and end.
    const source = async (after: number) => {
      if (running.asked.length === 1) setTimeout(() => { write({ stream: 'stderr', text: 'last\n' }); finish(); }, 20);
      return running.source(after);
    };
    const text = await readAll(streamStepLogs(source, 0, { ...options, pollMs: 5, running: () => tail }));
    expect(text).toBe(': step logs\n\n'
      + 'event: output\ndata: {"attempt":1,"stream":"stdout","text":"first\\n"}\n\n'
      + 'event: output\ndata: {"attempt":1,"stream":"stderr","text":"last\\n"}\n\n'
      + 'id: 1\nevent: attempt\ndata: {"attempt":1}\n\n'
      + 'event: end\ndata: {"status":"succeeded"}\n\n');
  });

  it('tails each attempt once, and only the one after the last attempt sent', async () => {
    const { source } = pages(
      { attempts: [], done: false, status: 'running' },
      { attempts: [], done: false, status: 'running' },
      { attempts: [{ attempt: 1 }, { attempt: 2 }], done: true, status: 'succeeded' },
      { attempts: [], done: true, status: 'succeeded' },
    );
    const followed: number[] = [];
    const tailOf = (attempt: number): AttemptTail => ({ attempt, follow: (_onOutput, onEnd) => { followed.push(attempt); queueMicrotask(onEnd); return () => {}; } });
    // Attempt 2 runs here while attempt 1's event is not sent yet: it waits; attempt 1 is followed once.
    let calls = 0;
    const running = () => tailOf(++calls < 3 ? 1 : 2);
    await readAll(streamStepLogs(source, 0, { ...options, pollMs: 20, running }));
    expect(followed).toEqual([1]);
  });

  it('cuts output that would wait beyond the limit for a slow client, and says so before the next piece', async () => {
    const { source } = pages({ attempts: [], done: false, status: 'running' }, { attempts: [{ attempt: 1 }], done: true, status: 'succeeded' }, { attempts: [], done: true, status: 'succeeded' });
    const tail: AttemptTail = {
      attempt: 1,
      follow: (onOutput, onEnd) => {
        // Three pieces at once: the client has not read the first when the others come.
        for (const text of ['a', 'bb', 'ccc']) onOutput({ stream: 'stdout', text });
        setTimeout(() => { onOutput({ stream: 'stdout', text: 'd' }); onEnd(); }, 10);
        return () => {};
      },
    };
    const text = await readAll(streamStepLogs(source, 0, { ...options, pollMs: 30, running: () => tail, outputLimitBytes: 10 }));
    const outputs = text.split('\n\n').filter((event) => event.startsWith('event: output')).map((event) => (JSON.parse(event.split('data: ')[1] ?? '') as { text: string }).text);
    expect(outputs).toEqual(['a', '…[truncated 5 bytes]', 'd']);
  });
});
