/** Short, friendly terminal output; commands write only through this. */
export type Output = {
  /** A stage of the work: `trellis: provisioning ...`. */
  step: (text: string) => void;
  /** A detail of the current stage, indented. */
  detail: (text: string) => void;
  /** Verbatim. */
  line: (text: string) => void;
  blank: () => void;
};

export function makeConsoleOutput(write: (text: string) => void = (text) => process.stdout.write(text)): Output {
  return {
    step: (text) => write(`trellis: ${text}\n`),
    detail: (text) => write(`  - ${text}\n`),
    line: (text) => write(`${text}\n`),
    blank: () => write('\n'),
  };
}
