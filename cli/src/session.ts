import { createClient, type Tokens, type TrellisClient } from '@trellis/sdk';
import { readConfig, updateContext, type Context } from './config.js';
import { CliError, EXIT } from './exit-codes.js';

/** The options every command takes (on the root command). */
export type GlobalOptions = { context?: string; url?: string };

export type Session = { contextName: string; context: Context | undefined; url: string; client: TrellisClient };

export const DEFAULT_URL = 'http://localhost:8080';
export const USER_AGENT = 'trellis-cli/0.1.0';

export function contextNameOf(globals: GlobalOptions, env: NodeJS.ProcessEnv = process.env): string {
  return globals.context ?? env['TRELLIS_CONTEXT'] ?? readConfig().current ?? 'default';
}

/**
 * The client for a command: the context's URL and credentials, overridden by TRELLIS_URL,
 * TRELLIS_TOKEN and TRELLIS_API_KEY (and --url). Renewed tokens are saved back to the context.
 */
export function openSession(globals: GlobalOptions, options: { requireCredentials?: boolean } = {}, env: NodeJS.ProcessEnv = process.env): Session {
  const contextName = contextNameOf(globals, env);
  const context = readConfig().contexts[contextName];
  const url = globals.url ?? env['TRELLIS_URL'] ?? context?.url ?? DEFAULT_URL;
  const apiKey = env['TRELLIS_API_KEY'];
  const accessToken = env['TRELLIS_TOKEN'];
  const fromEnv = Boolean(apiKey || accessToken);
  const credentials: { apiKey?: string; accessToken?: string; tokens?: Tokens } = fromEnv
    ? (apiKey ? { apiKey } : { accessToken: accessToken as string })
    : { ...(context?.apiKey ? { apiKey: context.apiKey } : {}), ...(context?.tokens ? { tokens: context.tokens } : {}) };
  if (options.requireCredentials !== false && !credentials.apiKey && !credentials.tokens && !credentials.accessToken) {
    throw new CliError('not_logged_in', `not logged in to ${url}`, { exitCode: EXIT.auth, hint: 'run `trellis login`, or set TRELLIS_API_KEY' });
  }
  const client = createClient({
    baseUrl: url,
    ...credentials,
    headers: { 'user-agent': USER_AGENT },
    // Tokens renewed by the SDK are kept, so the next command starts from them.
    ...(fromEnv ? {} : { onTokens: (tokens) => updateContext(contextName, (current) => ({ ...(current ?? { url }), tokens })) }),
  });
  return { contextName, context, url, client };
}
