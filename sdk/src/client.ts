import createFetchClient, { type Client } from 'openapi-fetch';
import { bearerOf, expiresSoon, type Credentials, type Tokens } from './credentials.js';
import { TrellisApiError, TrellisConnectionError, connectionReason, problemOf } from './errors.js';
import type { paths } from './generated/openapi.js';

export type ClientOptions = {
  /** Where Trellis answers: the gateway, e.g. `http://localhost:8080`. */
  baseUrl: string;
  /** A project API key (`trk_...`): acts for its project, never refreshed. */
  apiKey?: string;
  /** A person's tokens, from `login` earlier: renewed automatically when the access token expires. */
  tokens?: Tokens;
  /** A bare access token (no refresh: the calls fail with `token_expired` once it dies). */
  accessToken?: string;
  /** Called with the new tokens after every login, refresh and project switch: where a CLI saves them. */
  onTokens?: (tokens: Tokens) => void | Promise<void>;
  /** Sent with every request (e.g. a user agent). */
  headers?: Record<string, string>;
  fetch?: (request: Request) => Promise<Response>;
  /** Milliseconds since the epoch, to tell an expiring token (default Date.now). */
  clock?: () => number;
};

type TokenAnswer = { access_token: string; refresh_token: string; project_id: string | null };

export type TrellisClient = Client<paths> & {
  /** Logs in with a password; the client then sends the new tokens (and renews them). */
  login(username: string, password: string, options?: { projectId?: string }): Promise<Tokens>;
  /** Renews the tokens now with the refresh token (the client does it by itself when they expire). */
  refresh(): Promise<Tokens>;
  /** New tokens for another of your projects. */
  switchProject(projectId: string): Promise<Tokens>;
  /** Revokes the refresh token; the client forgets its tokens. */
  logout(): Promise<void>;
  /** The credentials the client sends now. */
  credentials(): Credentials | undefined;
};

const authRoutes = ['/authorization/login', '/authorization/token/refresh'];

function credentialsOf(options: ClientOptions): Credentials | undefined {
  if (options.apiKey) return { kind: 'apiKey', apiKey: options.apiKey };
  if (options.tokens) return { kind: 'tokens', tokens: options.tokens };
  if (options.accessToken) return { kind: 'accessToken', accessToken: options.accessToken };
  return undefined;
}

const tokensOf = (answer: TokenAnswer): Tokens => ({ accessToken: answer.access_token, refreshToken: answer.refresh_token, projectId: answer.project_id });

/**
 * The Trellis API client: every route of docs/openapi.json, typed (`client.GET('/studio/workflows')`).
 * Every refused answer throws a TrellisApiError with the problem's `code`, `status` and
 * `detail`; an instance that cannot be reached throws a TrellisConnectionError. A person's access
 * token is renewed with the refresh token before it expires, and once more if the API says it has.
 */
export function createClient(options: ClientOptions): TrellisClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const rawFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  let credentials = credentialsOf(options);
  let renewing: Promise<Tokens> | undefined;

  const send = async (request: Request): Promise<Response> => {
    try {
      return await rawFetch(request);
    } catch (error) {
      throw new TrellisConnectionError(baseUrl, connectionReason(error), error);
    }
  };

  const adopt = async (tokens: Tokens): Promise<Tokens> => {
    credentials = { kind: 'tokens', tokens };
    await options.onTokens?.(tokens);
    return tokens;
  };

  const renew = (): Promise<Tokens> => {
    if (credentials?.kind !== 'tokens') return Promise.reject(new Error('only a person\'s tokens can be refreshed: log in first'));
    const refreshToken = credentials.tokens.refreshToken;
    // One renewal at a time: concurrent calls that find the token expired wait for the same one.
    renewing ??= (async () => {
      const response = await send(new Request(`${baseUrl}/authorization/token/refresh`, {
        method: 'POST', headers: { 'content-type': 'application/json', ...options.headers }, body: JSON.stringify({ refresh_token: refreshToken }),
      }));
      if (!response.ok) throw await problemOf(response);
      return adopt(tokensOf(await response.json() as TokenAnswer));
    })().finally(() => { renewing = undefined; });
    return renewing;
  };

  const authorize = (request: Request): void => {
    const bearer = bearerOf(credentials);
    if (bearer && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${bearer}`);
  };

  const authenticatedFetch = async (request: Request): Promise<Response> => {
    const isAuthRoute = authRoutes.includes(new URL(request.url).pathname);
    const renewable = !isAuthRoute && credentials?.kind === 'tokens';
    if (renewable && credentials?.kind === 'tokens' && expiresSoon(credentials.tokens.accessToken, (options.clock ?? Date.now)() / 1000)) await renew();
    const again = renewable ? request.clone() : undefined;
    if (!isAuthRoute) authorize(request);
    let response = await send(request);
    if (response.status === 401 && again) {
      const refused = await problemOf(response.clone());
      if (refused.code === 'token_expired') {
        await renew();
        authorize(again);
        response = await send(again);
      }
    }
    if (!response.ok) throw await problemOf(response);
    return response;
  };

  const client = createFetchClient<paths>({ baseUrl, fetch: authenticatedFetch, ...(options.headers ? { headers: options.headers } : {}) });

  const tokenCall = async (call: Promise<{ data?: TokenAnswer }>): Promise<Tokens> => {
    const { data } = await call;
    if (!data) throw new Error('the token answer had no body');
    return adopt(tokensOf(data));
  };

  return Object.assign(client, {
    login: (username: string, password: string, loginOptions: { projectId?: string } = {}) =>
      tokenCall(client.POST('/authorization/login', { body: { username, password, ...(loginOptions.projectId ? { project_id: loginOptions.projectId } : {}) } })),
    refresh: renew,
    switchProject: (projectId: string) => tokenCall(client.POST('/authorization/token/switch', { body: { project_id: projectId } })),
    logout: async () => {
      if (credentials?.kind === 'tokens') {
        const refreshToken = credentials.tokens.refreshToken;
        await client.POST('/authorization/logout', { body: { refresh_token: refreshToken } }).catch((error: unknown) => {
          // Already logged out (or expired): forgetting the tokens is all that is left to do.
          if (!(error instanceof TrellisApiError && error.status === 401)) throw error;
        });
      }
      credentials = undefined;
    },
    credentials: () => credentials,
  });
}

/**
 * The body of a call that succeeded (a refused call has already thrown): `await
 * unwrap(client.GET('/studio/workflows'))` instead of destructuring `{ data }`.
 */
export async function unwrap<T>(call: Promise<{ data?: T; response: Response }>): Promise<T> {
  const { data, response } = await call;
  if (data === undefined && response.status !== 204 && response.status !== 202) throw new Error(`${response.url} answered ${response.status} without the body it promises`);
  return data as T;
}
