import type { ThrottlePolicy } from '../domain/login-throttle.js';

/** The tunable numbers of the rules, read from configuration once at start. */
export type Settings = {
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly signingKeyRotationSeconds: number;
  /** Extra time a retired key stays published beyond the access-token lifetime. */
  readonly signingKeyMarginSeconds: number;
  readonly usernameThrottle: ThrottlePolicy;
  readonly addressThrottle: ThrottlePolicy;
};
