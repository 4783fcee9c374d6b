import { CommanderError } from 'commander';
import { TrellisApiError, TrellisConnectionError } from '@trellis/sdk';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';

type Explained = { code: string; message: string; hint?: string; exitCode: ExitCode };

const hints: Record<string, string> = {
  unauthenticated: 'run `trellis login`, or check TRELLIS_API_KEY / TRELLIS_TOKEN',
  token_expired: 'run `trellis login`',
  invalid_credentials: 'check the username and password',
  user_token_required: 'this needs a person\'s login, not an API key: run `trellis login`',
  forbidden: 'ask an owner of the project for a role that allows it',
  no_project: 'choose a project: `trellis project use NAME`',
  project_not_found: 'list yours with `trellis project list`',
  too_many_requests: 'wait a moment and try again',
};

function exitCodeOfStatus(status: number): ExitCode {
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  return EXIT.failure;
}

export function explain(error: unknown): Explained {
  if (error instanceof CliError) return { code: error.code, message: error.message, exitCode: error.exitCode, ...(error.hint ? { hint: error.hint } : {}) };
  if (error instanceof TrellisApiError) {
    const finding = error.errors[0];
    const detail = error.detail ?? error.problem.title ?? `HTTP ${error.status}`;
    const message = finding ? `${detail} (${finding.path}: ${finding.message})` : detail;
    const hint = hints[error.code] ?? (error.retryAfter ? `try again in ${error.retryAfter} s` : undefined);
    return { code: error.code, message, exitCode: exitCodeOfStatus(error.status), ...(hint ? { hint } : {}) };
  }
  if (error instanceof TrellisConnectionError) {
    return { code: 'unreachable', message: `cannot reach Trellis at ${error.url}: ${error.reason}`, hint: 'is it running? start it with `make up`, or point --url / TRELLIS_URL at it', exitCode: EXIT.failure };
  }
  if (error instanceof CommanderError) return { code: 'usage', message: error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' '), exitCode: EXIT.usage };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'error', message, exitCode: EXIT.failure };
}

/** One line: `trellis: CODE: what happened (what to do)`. */
export function formatError(explained: Explained): string {
  return `trellis: ${explained.code}: ${explained.message}${explained.hint ? ` (${explained.hint})` : ''}`;
}
