import type { ApiKeyIssued, ApiKeyRevoked } from './events.js';
import { ok, rejected, type Result } from './result.js';
import type { Role } from './role.js';

/** A project API key as authorization keeps it: the secret itself is never stored, only its SHA-256. */
export type ApiKey = {
  readonly id: string;
  readonly projectId: string;
  readonly name: string;
  readonly role: Role;
  /** The visible part of the key, so people can tell keys apart in a list. */
  readonly prefix: string;
  readonly secretSha256: string;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
};

export type ApiKeyRejection =
  | { readonly type: 'InvalidApiKeyName'; readonly reason: string }
  | { readonly type: 'ApiKeyExpiryInPast' }
  | { readonly type: 'ApiKeyNotFound'; readonly keyId: string };

// eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
const controlCharacters = /[\u0000-\u001f\u007f]/;

export function checkName(name: string): string | undefined {
  if (name.trim().length === 0 || [...name].length > 100) return 'must be 1 to 100 characters long';
  if (controlCharacters.test(name)) return 'may not hold control characters';
  return undefined;
}

export function issue(input: {
  id: string;
  projectId: string;
  name: string;
  role: Role;
  secret: { prefix: string; sha256: string };
  createdBy: string;
  expiresAt: Date | null;
  now: Date;
}): Result<{ apiKey: ApiKey; events: [ApiKeyIssued] }, ApiKeyRejection> {
  const reason = checkName(input.name);
  if (reason) return rejected({ type: 'InvalidApiKeyName', reason });
  if (input.expiresAt && input.expiresAt.getTime() <= input.now.getTime()) return rejected({ type: 'ApiKeyExpiryInPast' });
  const apiKey: ApiKey = {
    id: input.id, projectId: input.projectId, name: input.name.trim(), role: input.role, prefix: input.secret.prefix,
    secretSha256: input.secret.sha256, createdAt: input.now, createdBy: input.createdBy, expiresAt: input.expiresAt, revokedAt: null,
  };
  return ok({
    apiKey,
    events: [{
      type: 'ApiKeyIssued', keyId: apiKey.id, projectId: apiKey.projectId, role: apiKey.role,
      secretSha256: apiKey.secretSha256, expiresAt: apiKey.expiresAt, occurredAt: input.now,
    }],
  });
}

/** Revoking twice changes nothing and announces nothing the second time. */
export function revoke(apiKey: ApiKey, now: Date): { apiKey: ApiKey; events: ApiKeyRevoked[] } {
  if (apiKey.revokedAt) return { apiKey, events: [] };
  return {
    apiKey: { ...apiKey, revokedAt: now },
    events: [{ type: 'ApiKeyRevoked', keyId: apiKey.id, projectId: apiKey.projectId, occurredAt: now }],
  };
}
