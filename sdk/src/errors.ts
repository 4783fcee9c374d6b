/** One finding of a problem: where in the request (and, for a YAML body, the line and column). */
export type ProblemFinding = { path: string; message: string; code?: string; line?: number; column?: number };

/** An RFC 9457 problem as every Trellis service answers it. */
export type Problem = {
  type?: string;
  title?: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  request_id?: string;
  errors?: ProblemFinding[];
};

/** The API refused the request: its problem's `code`, `status` and `detail`, typed. */
export class TrellisApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string | undefined;
  readonly errors: readonly ProblemFinding[];
  readonly requestId: string | undefined;
  /** Seconds to wait before trying again, when the answer said (429, 503). */
  readonly retryAfter: number | undefined;
  readonly problem: Problem;

  constructor(problem: Problem, retryAfter?: number) {
    super(problem.detail ? `${problem.code}: ${problem.detail}` : `${problem.code}: ${problem.title ?? `HTTP ${problem.status}`}`);
    this.name = 'TrellisApiError';
    this.status = problem.status;
    this.code = problem.code;
    this.detail = problem.detail;
    this.errors = problem.errors ?? [];
    this.requestId = problem.request_id;
    this.retryAfter = retryAfter;
    this.problem = problem;
  }
}

/** Trellis could not be reached at all (refused, reset, DNS, TLS): nothing was answered. */
export class TrellisConnectionError extends Error {
  readonly url: string;
  readonly reason: string;

  constructor(url: string, reason: string, cause: unknown) {
    super(`cannot reach Trellis at ${url}: ${reason}`, { cause });
    this.name = 'TrellisConnectionError';
    this.url = url;
    this.reason = reason;
  }
}

const statusCodes: Record<number, string> = { 400: 'bad_request', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 413: 'payload_too_large', 429: 'too_many_requests', 502: 'bad_gateway', 503: 'unavailable', 504: 'gateway_timeout' };

/** The problem of a refused answer; an answer without a problem body (a proxy's page) gets one made from its status. */
export async function problemOf(response: Response): Promise<TrellisApiError> {
  const text = await response.text().catch(() => '');
  const retryAfter = Number(response.headers.get('retry-after'));
  const retry = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined;
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (typeof body.code === 'string') return new TrellisApiError({ ...body, status: typeof body.status === 'number' ? body.status : response.status, code: body.code }, retry);
  } catch { /* not JSON: described from the status below */ }
  const code = statusCodes[response.status] ?? (response.status >= 500 ? 'server_error' : 'http_error');
  return new TrellisApiError({ status: response.status, code, title: response.statusText || `HTTP ${response.status}`, ...(text.trim() ? { detail: text.trim().slice(0, 300) } : {}) }, retry);
}

/** What a failed fetch says, in a few words: `connection refused (ECONNREFUSED)`. */
export function connectionReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (error as { code?: string }).code;
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused', ECONNRESET: 'connection reset', ENOTFOUND: 'host not found', EAI_AGAIN: 'host not found (DNS)',
    ETIMEDOUT: 'timed out', UND_ERR_CONNECT_TIMEOUT: 'timed out connecting', EHOSTUNREACH: 'host unreachable', UND_ERR_SOCKET: 'connection closed',
  };
  if (code && words[code]) return `${words[code]} (${code})`;
  return cause?.message ?? (error instanceof Error ? error.message : String(error));
}
