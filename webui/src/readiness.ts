// Reads a service's /readyz through the gateway and says what it means for a person.
// The body of /readyz is `{ status: 'ready' | 'not_ready', checks: { <name>: 'ok' | <error> } }`
// (packages/platform/src/http/app.ts); anything else is reported as what it is.

export type Service = {
  readonly id: string;
  readonly name: string;
  /** Same-origin path, routed by the gateway. */
  readonly readyz: string;
};

export const services: readonly Service[] = [
  { id: 'authorization', name: 'Authorization', readyz: '/authorization/readyz' },
  { id: 'studio', name: 'Studio', readyz: '/studio/readyz' },
  { id: 'repository', name: 'Repository', readyz: '/repository/readyz' },
  { id: 'action-builder', name: 'Action builder', readyz: '/builder/readyz' },
  { id: 'runner', name: 'Runner', readyz: '/runner/readyz' },
];

export type FailingCheck = { readonly name: string; readonly message: string };

export type Readiness =
  | { readonly state: 'ready'; readonly checks: readonly string[] }
  | { readonly state: 'not-ready'; readonly failing: readonly FailingCheck[]; readonly reason: string }
  | { readonly state: 'unreachable'; readonly reason: string };

type ReadyBody = { status: 'ready' | 'not_ready'; checks: Record<string, string> };

function isReadyBody(value: unknown): value is ReadyBody {
  if (typeof value !== 'object' || value === null) return false;
  const { status, checks } = value as { status?: unknown; checks?: unknown };
  return (
    (status === 'ready' || status === 'not_ready') &&
    typeof checks === 'object' &&
    checks !== null &&
    Object.values(checks).every((outcome) => typeof outcome === 'string')
  );
}

async function readBody(response: Response): Promise<unknown> {
  if (!(response.headers.get('content-type') ?? '').includes('json')) return undefined;
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

/** What an answer from the gateway means. Exported for tests; `checkReadiness` is the entry point. */
export function interpret(status: number, statusText: string, body: unknown): Readiness {
  const http = `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
  if (isReadyBody(body) && (status === 200 || status === 503)) {
    const entries = Object.entries(body.checks);
    const failing = entries.filter(([, outcome]) => outcome !== 'ok').map(([name, message]) => ({ name, message }));
    if (status === 200 && body.status === 'ready' && failing.length === 0) {
      return { state: 'ready', checks: entries.map(([name]) => name) };
    }
    return { state: 'not-ready', failing, reason: failing.length > 0 ? '' : `Answered ${http} without naming a failing check` };
  }
  // nginx answers 502 when the upstream refuses the connection and 504 when it does not answer.
  if (status === 502 || status === 504) return { state: 'unreachable', reason: `The gateway could not reach the service (${http})` };
  return { state: 'not-ready', failing: [], reason: `Answered ${http} without a readiness report` };
}

export async function checkReadiness(service: Service, timeoutMs: number): Promise<Readiness> {
  let response: Response;
  try {
    response = await fetch(service.readyz, {
      cache: 'no-store',
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    return {
      state: 'unreachable',
      reason: timedOut ? `No answer within ${timeoutMs / 1000} s` : 'The request failed: the gateway or the network is down',
    };
  }
  return interpret(response.status, response.statusText, await readBody(response));
}
