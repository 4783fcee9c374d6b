import { describe, expect, it } from 'vitest';
import { makeTail, type TailChunk } from './log-tail.js';

/** A sink whose reader is behind while `full` is set (a gRPC stream's buffer over its mark). */
function aSink() {
  const sent: string[] = [];
  const state = { full: false };
  return {
    sent,
    state,
    sink: {
      send: (chunk: TailChunk) => {
        sent.push(`${chunk.stream}:${chunk.text}`);
        return !state.full;
      },
      end: () => sent.push('end'),
    },
  };
}

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('makeTail', () => {
  it('sends each write at once while the reader keeps up, a character cut between writes whole', () => {
    const { sent, sink } = aSink();
    const tail = makeTail(sink, 1024);
    const check = bytes('✓\n');
    tail.write('stdout', check.subarray(0, 1));
    tail.write('stdout', check.subarray(1));
    tail.write('stderr', bytes('e\n'));
    tail.end();
    expect(sent).toEqual(['stdout:✓\n', 'stderr:e\n', 'end']);
  });

  it('keeps up to the limit for a reader that is behind, then counts what it cuts and says so before anything later', () => {
    const { sent, sink, state } = aSink();
    const tail = makeTail(sink, 4);
    state.full = true;
    tail.write('stdout', bytes('a'));
    tail.write('stdout', bytes('bc'));
    tail.write('stdout', bytes('de'));
    tail.write('stderr', bytes('fgh'));
    tail.write('stdout', bytes('i'));
    state.full = false;
    tail.drained();
    tail.write('stdout', bytes('j'));
    tail.end();
    expect(sent).toEqual(['stdout:a', 'stdout:bc', 'stdout:de', 'stdout:…[truncated 1 bytes]', 'stderr:…[truncated 3 bytes]', 'stdout:j', 'end']);
  });

  it('sends what waits, and the cut, when the execution ends while the reader is behind', () => {
    const { sent, sink, state } = aSink();
    const tail = makeTail(sink, 2);
    state.full = true;
    tail.write('stdout', bytes('a'));
    tail.write('stdout', bytes('bc'));
    tail.write('stdout', bytes('d'));
    tail.end();
    expect(sent).toEqual(['stdout:a', 'stdout:bc', 'stdout:…[truncated 1 bytes]', 'end']);
  });
});
