import type { JsonValue } from '@trellis/action-manifest/definition';

/*
 * The platform side of `trellis-action replay`: where the server is, who calls it, and the answer
 * of `GET /runner/runs/{id}/steps/{step}/replay`. Every way the call can go wrong is a message
 * for the user, never a stack.
 */

export type RecordedError = { readonly code: string; readonly message: string };

/** What the runner recorded of one attempt, and the inputs to give the action again. */
export type Replay = {
  readonly run_id: string;
  readonly step: string;
  readonly attempt: number;
  readonly action: { readonly id: string; readonly version: string; readonly digest: string };
  /** A file or directory input is `{url, name, size, content_type}`. */
  readonly inputs: Readonly<Record<string, JsonValue>>;
  /** Inputs whose values the server keeps: the user gives them. */
  readonly secrets: readonly string[];
  readonly recorded: {
    readonly status: string;
    readonly error: RecordedError | null;
    readonly outputs: Readonly<Record<string, JsonValue>> | null;
    readonly stdout: string;
    readonly stderr: string;
    readonly duration_ms: number | null;
  };
};

export type Server = { readonly url: string; readonly credential: string };

export type Fetched<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * TRELLIS_URL (the platform's address, the gateway's as the `trellis` CLI uses it) and
 * TRELLIS_TOKEN or TRELLIS_API_KEY: both are sent as a Bearer credential.
 */
export function serverFromEnvironment(env: Readonly<Record<string, string | undefined>>): Fetched<Server> {
  const url = env['TRELLIS_URL']?.trim();
  const credential = env['TRELLIS_TOKEN']?.trim() || env['TRELLIS_API_KEY']?.trim();
  if (!url) return { ok: false, message: 'TRELLIS_URL is not set: export the platform\'s address, e.g. TRELLIS_URL=http://localhost:8080' };
  if (!/^https?:\/\//.test(url)) return { ok: false, message: `TRELLIS_URL must start with http:// or https://, got ${url}` };
  if (!credential) return { ok: false, message: 'neither TRELLIS_TOKEN nor TRELLIS_API_KEY is set: export a token or an API key of the run\'s project (developer role)' };
  return { ok: true, value: { url: url.replace(/\/+$/, ''), credential } };
}

type Problem = { title?: unknown; detail?: unknown; code?: unknown };

/** "403 Forbidden: <detail>" from a problem+json answer (or the status alone). */
function problemMessage(status: number, text: string): string {
  let problem: Problem = {};
  try {
    problem = JSON.parse(text) as Problem;
  } catch {
    // not JSON: the status says enough
  }
  const title = typeof problem.title === 'string' ? ` ${problem.title}` : '';
  const detail = typeof problem.detail === 'string' ? `: ${problem.detail}` : '';
  const hint = status === 401 ? ' (is TRELLIS_TOKEN or TRELLIS_API_KEY still valid?)' : status === 403 ? ' (replay needs the developer role in the run\'s project)' : '';
  return `the server answered ${status}${title}${detail}${hint}`;
}

function looksLikeReplay(value: unknown): value is Replay {
  const answer = value as Partial<Replay> | null;
  return typeof answer === 'object' && answer !== null && typeof answer.run_id === 'string' && typeof answer.inputs === 'object'
    && Array.isArray(answer.secrets) && typeof answer.recorded === 'object' && typeof answer.action === 'object';
}

/** The recorded attempt (`attempt` undefined: the step's last). */
export async function fetchReplay(server: Server, runId: string, step: string, attempt: number | undefined): Promise<Fetched<Replay>> {
  const query = attempt === undefined ? '' : `?attempt=${attempt}`;
  const url = `${server.url}/runner/runs/${encodeURIComponent(runId)}/steps/${encodeURIComponent(step)}/replay${query}`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${server.credential}`, accept: 'application/json' } });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, message: `cannot reach ${server.url}: ${cause?.code ?? cause?.message ?? (error as Error).message}` };
  }
  const text = await response.text();
  if (!response.ok) return { ok: false, message: problemMessage(response.status, text) };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!looksLikeReplay(body)) return { ok: false, message: `${server.url} did not answer as a Trellis runner (is TRELLIS_URL the platform's address?)` };
  return { ok: true, value: body };
}
