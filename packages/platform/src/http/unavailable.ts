import { HttpProblem } from './problem.js';

/*
 * A request that failed because the service's database (or another backing service) could not be
 * reached is not a bug of ours nor of the caller's: PostgreSQL restarting, a failover, a cut
 * connection. The answer is 503 with Retry-After, so that clients and the SDK retry, rather than
 * a 500 that reads as "something is broken". Nothing was committed: a statement on a connection
 * that died did not return.
 */

/** SQLSTATE classes and codes of a server that cannot serve now. */
const unavailableSqlStates = [/^08/, /^57P0[123]$/, /^53300$/];
/** Node's errors of a connection that could not be made or broke. */
const unavailableSystemCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** pg's own messages for a connection that ended or never came (they carry no code). */
const unavailableMessages = [/^Connection terminated/, /timeout exceeded when trying to connect/, /^Client has encountered a connection error/, /Connection is closed/];

function describesUnavailable(error: unknown, depth: number): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const { code, message, cause } = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (typeof code === 'string' && (unavailableSystemCodes.has(code) || (code.length === 5 && unavailableSqlStates.some((state) => state.test(code))))) return true;
  if (typeof message === 'string' && unavailableMessages.some((pattern) => pattern.test(message))) return true;
  if (error instanceof AggregateError && error.errors.some((inner) => describesUnavailable(inner, depth + 1))) return true;
  return describesUnavailable(cause, depth + 1);
}

export const RETRY_AFTER_SECONDS = 2;

/** The 503 for an error that says a backing service is out of reach, else undefined. */
export function fromUnavailableDependency(error: unknown): HttpProblem | undefined {
  if (!describesUnavailable(error, 0)) return undefined;
  return new HttpProblem(
    503, 'service_unavailable', 'Service unavailable',
    'A service this request needs (its database) cannot be reached right now; nothing was changed. Try again in a few seconds.',
    undefined, { 'retry-after': String(RETRY_AFTER_SECONDS) },
  );
}
