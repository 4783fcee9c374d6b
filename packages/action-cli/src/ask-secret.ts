/**
 * Reads one line from the terminal without showing it (a secret must not land in the scrollback):
 * raw mode, so the characters typed are not echoed; Enter ends, Backspace erases, Ctrl-C and
 * Ctrl-D give up. Only for a TTY: the caller checks `process.stdin.isTTY` first.
 */
export function askSecret(prompt: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string> {
  return new Promise((resolve, reject) => {
    // Raw before the prompt shows: what is typed once it is up is never echoed (tcsetattr waits
    // for the prompt to drain, and a fast typist, or a test, could otherwise beat it).
    input.setRawMode(true);
    output.write(prompt);
    let typed = '';
    const done = (outcome: () => void) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      outcome();
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done(() => resolve(typed));
        if (char === '\u0003' || char === '\u0004') return done(() => reject(new Error('no secret given')));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    input.resume();
    input.on('data', onData);
  });
}
