/** The roles a project API key can grant, weakest first (authorization's contract). */
export type ProjectRole = 'viewer' | 'operator' | 'developer' | 'owner';

/**
 * A project API key announced by authorization. Only the SHA-256 of its secret ever reaches
 * this service: enough to recognise the key, useless to forge it.
 */
export type IssuedApiKey = {
  readonly keyId: string;
  readonly projectId: string;
  readonly role: ProjectRole;
  readonly secretSha256: string;
  readonly expiresAt: Date | null;
};

export type ApiKeyRevocation = { readonly keyId: string; readonly projectId: string; readonly revokedAt: Date };
