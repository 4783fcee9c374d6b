/** RFC 9457 problem details, with a stable machine-readable `code`. */
export type Problem = {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  request_id?: string;
  errors?: ReadonlyArray<{ path: string; message: string }>;
};

/** Thrown by route code to answer a problem; anything else thrown becomes a 500 with no internals. */
export class HttpProblem extends Error {
  override name = 'HttpProblem';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: Problem['errors'],
  ) {
    super(detail ?? title);
  }
}

export function toProblem(error: HttpProblem, instance: string, requestId: string): Problem {
  return {
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

/** Errors raised by koa and its body parser carry a status and `expose`; map the ones a client causes. */
export function fromClientError(error: unknown): HttpProblem | undefined {
  if (error instanceof HttpProblem) return error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, expose, type } = error as { status?: unknown; expose?: unknown; type?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500 || expose !== true) return undefined;
  switch (type) {
    case 'entity.too.large':
      return new HttpProblem(413, 'payload_too_large', 'Request body too large', 'The request body exceeds the size limit.');
    case 'entity.parse.failed':
      return new HttpProblem(400, 'malformed_body', 'Malformed request body', 'The request body is not valid JSON.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpProblem(415, 'unsupported_encoding', 'Unsupported body encoding');
    case 'request.aborted':
      return new HttpProblem(400, 'request_aborted', 'Request aborted');
    default:
      return new HttpProblem(status, 'bad_request', 'Bad request');
  }
}
