import type { Env } from './config.js';

/**
 * What every action process gets from the instance, on every site: settings an action must obey
 * but cannot be trusted to choose (a step's inputs come from users). Nothing else of the runner's
 * environment (its database URL, its keys) reaches an action.
 */
export function actionEnvironment(env: Pick<Env, 'TRELLIS_ACTIONS_ALLOW_PRIVATE_NETWORK'>): Record<string, string> {
  return { TRELLIS_ALLOW_PRIVATE_NETWORK: String(env.TRELLIS_ACTIONS_ALLOW_PRIVATE_NETWORK) };
}
