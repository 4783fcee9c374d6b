// Answers are checked field by field; typing every body would only restate the schemas.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Answer = { status: number; body: any; text: string; headers: Headers };

export type Call = (method: string, path: string, options?: { token?: string; body?: unknown; rawBody?: string; contentType?: string }) => Promise<Answer>;

/** Calls studio at `base()` (read at each call: the harness knows it only once started); every answer's text is also kept in `answers`. */
export function makeCall(base: () => string, answers: string[] = []): Call {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = {};
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
