// Answers are checked field by field; typing every body would only restate the schemas.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Answer = { status: number; body: any; text: string; headers: Headers };

export type CallOptions = { token?: string; body?: unknown; rawBody?: string; contentType?: string; headers?: Record<string, string> };

export type Call = (method: string, path: string, options?: CallOptions) => Promise<Answer>;

/**
 * Calls a service at `base()` (read at each call: a harness knows it only once started) with a
 * Bearer token and a JSON (or raw) body; every answer's text and headers are also kept in
 * `answers`, for tests that scan what a service said.
 */
export function makeCall(base: () => string, answers: string[] = []): Call {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    const response = await fetch(`${base()}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    answers.push(text, JSON.stringify([...response.headers]));
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed, text, headers: response.headers };
  };
}
