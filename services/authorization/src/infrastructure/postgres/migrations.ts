import type { Migrations } from '@trellis/platform/postgres/migrate';
import { initial } from './migrations/0001_initial.js';
import { identityAndTokens } from './migrations/0002_identity_and_tokens.js';

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export const migrations: Migrations = {
  '0001_initial': initial,
  '0002_identity_and_tokens': identityAndTokens,
};
