/** RFC 9457 problem details, with a stable machine-readable `code`. */
export type Problem = {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  request_id?: string;
  errors?: ReadonlyArray<ProblemError>;
};

/**
 * One thing wrong with the request. `path` is where in it (`body.steps.2.inputs.n`); a document
 * sent as text (YAML) may also say where in the text (`line`, `column`, 1-based), and a finding
 * with a stable code of its own carries it in `code`.
 */
export type ProblemError = { path: string; message: string; code?: string; line?: number; column?: number };

/** Thrown by route code to answer a problem; anything else thrown becomes a 500 with no internals. */
export class HttpProblem extends Error {
  override name = 'HttpProblem';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: Problem['errors'],
    /** Sent with the answer, e.g. Retry-After on a 429. */
    readonly headers?: Readonly<Record<string, string>>,
    /** RFC 9457 extension members, e.g. a failed run's `run_id` (never one of the standard names). */
    readonly extensions?: Readonly<Record<string, unknown>>,
  ) {
    super(detail ?? title);
  }
}

export function toProblem(error: HttpProblem, instance: string, requestId: string): Problem {
  return {
    ...error.extensions,
    type: `https://trellis.dev/problems/${error.code}`,
    title: error.title,
    status: error.status,
    code: error.code,
    ...(error.detail === undefined ? {} : { detail: error.detail }),
    instance,
    request_id: requestId,
    ...(error.errors === undefined ? {} : { errors: error.errors }),
  };
}

/** Errors raised by koa itself carry a status and `expose`; map the ones a client causes. */
export function fromClientError(error: unknown): HttpProblem | undefined {
  if (error instanceof HttpProblem) return error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, expose } = error as { status?: unknown; expose?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500 || expose !== true) return undefined;
  return new HttpProblem(status, 'bad_request', 'Bad request');
}
