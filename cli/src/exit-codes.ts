/** The exit codes every command keeps (documented in cli/README.md). */
export const EXIT = { ok: 0, failure: 1, usage: 2, notFound: 3, auth: 4 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI itself finds (no such workflow, not logged in): one line, an exit code, what to do. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  readonly code: string;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: { exitCode?: ExitCode; hint?: string } = {}) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.exitCode = options.exitCode ?? EXIT.failure;
    this.hint = options.hint;
  }
}
