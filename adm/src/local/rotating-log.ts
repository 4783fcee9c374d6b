import { closeSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export type RotatingLog = { write: (chunk: Buffer | string) => void; close: () => void };

/**
 * An append-only log file capped at `maxBytes`: when full it becomes `<file>.1` (replacing the
 * previous one) and a new file starts, so one log never takes more than twice the cap.
 */
export function makeRotatingLog(file: string, maxBytes: number): RotatingLog {
  mkdirSync(dirname(file), { recursive: true });
  let fd = openSync(file, 'a', 0o640);
  let size = statSync(file).size;
  let closed = false;
  const rotate = () => {
    closeSync(fd);
    renameSync(file, `${file}.1`);
    fd = openSync(file, 'a', 0o640);
    size = 0;
  };
  return {
    write: (chunk) => {
      if (closed) return;
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (size > 0 && size + bytes.length > maxBytes) rotate();
      writeSync(fd, bytes);
      size += bytes.length;
    },
    close: () => {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}
