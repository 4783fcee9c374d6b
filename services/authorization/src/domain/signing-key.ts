/**
 * When to make a new token-signing key and when an old one may go. A retired key stays
 * published until every token it signed has expired: tokens live `accessTokenTtlSeconds`,
 * and a replica may keep signing with a key it has cached for a short while after another
 * replica retired it, which `marginSeconds` covers (with clock skew).
 */
export type KeyTimes = { readonly kid: string; readonly createdAt: Date; readonly retiredAt: Date | null };

export type RotationPolicy = {
  readonly rotationSeconds: number;
  readonly accessTokenTtlSeconds: number;
  readonly marginSeconds: number;
};

export type RotationPlan = {
  /** Make a new active key. */
  readonly create: boolean;
  /** Active keys to retire now. */
  readonly retire: readonly string[];
  /** Retired keys whose tokens have all expired: unpublish them. */
  readonly remove: readonly string[];
};

const newestFirst = (a: KeyTimes, b: KeyTimes) => b.createdAt.getTime() - a.createdAt.getTime();

export function plan(keys: readonly KeyTimes[], now: Date, policy: RotationPolicy): RotationPlan {
  const active = keys.filter((key) => key.retiredAt === null).sort(newestFirst);
  const newest = active[0];
  const create = !newest || now.getTime() - newest.createdAt.getTime() >= policy.rotationSeconds * 1000;
  const retire = (create ? active : active.slice(1)).map((key) => key.kid);
  const remove = keys
    .filter((key) => key.retiredAt !== null && key.retiredAt.getTime() + publishedForMs(policy) <= now.getTime())
    .map((key) => key.kid);
  return { create, retire, remove };
}

/** How long a key stays published after it stops signing. */
export function publishedForMs(policy: RotationPolicy): number {
  return (policy.accessTokenTtlSeconds + policy.marginSeconds) * 1000;
}
