import { colors } from '../../output.js';

export type LogStream = 'stdout' | 'stderr';

/**
 * Writes what actions wrote: their stdout to ours and their stderr to ours, as `docker logs`
 * does. With several steps, each line starts with its step; output arriving in pieces is held
 * until its line ends, so two steps' lines never mix.
 */
export type LogWriter = { write: (step: string, stream: LogStream, text: string) => void; flush: (step: string) => void };

const out = (stream: LogStream) => (stream === 'stdout' ? process.stdout : process.stderr);

export function makeLogWriter(prefixed: boolean): LogWriter {
  const partial = new Map<string, string>();
  const prefix = (step: string) => colors.cyan(`[${step}] `);
  return {
    write: (step, stream, text) => {
      if (!prefixed) {
        out(stream).write(text);
        return;
      }
      const key = `${stream} ${step}`;
      const lines = `${partial.get(key) ?? ''}${text}`.split('\n');
      partial.set(key, lines.pop() ?? '');
      for (const line of lines) out(stream).write(`${prefix(step)}${line}\n`);
    },
    flush: (step) => {
      for (const stream of ['stdout', 'stderr'] as const) {
        const key = `${stream} ${step}`;
        const rest = partial.get(key);
        if (rest) out(stream).write(prefixed ? `${prefix(step)}${rest}\n` : rest);
        partial.delete(key);
      }
    },
  };
}
