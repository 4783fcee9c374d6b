import type { ApiKeyRevocation, IssuedApiKey, KnownProject, KnownProjects, ReplicatedApiKeys } from '../tenancy/model.js';

/** In-memory known projects, with the semantics of the Postgres adapter (checked by the port contract suite). */
export function makeFakeProjects(): KnownProjects & { all: () => KnownProject[]; deleted: () => string[] } {
  const rows = new Map<string, KnownProject>();
  const tombstones = new Set<string>();
  return {
    insertIfAbsent: async (project) => {
      if (rows.has(project.id)) return false;
      rows.set(project.id, project);
      return true;
    },
    forget: async (projectId) => {
      tombstones.add(projectId);
      return { wasKnown: rows.delete(projectId) };
    },
    wasDeleted: async (projectId) => tombstones.has(projectId),
    all: () => [...rows.values()],
    deleted: () => [...tombstones],
  };
}

export type FakeApiKey = Omit<IssuedApiKey, 'secretSha256'> & { secretSha256: string | null; revokedAt: Date | null };

/** Behaves as the replicated table does: first announcement wins, a revocation sticks, whatever the order. */
export function makeFakeApiKeys(): ReplicatedApiKeys & { all: () => FakeApiKey[] } {
  const rows = new Map<string, FakeApiKey>();
  return {
    record: async (key: IssuedApiKey) => {
      if (!rows.has(key.keyId)) rows.set(key.keyId, { ...key, revokedAt: null });
    },
    revoke: async ({ keyId, projectId, revokedAt }: ApiKeyRevocation) => {
      const row = rows.get(keyId);
      if (!row) rows.set(keyId, { keyId, projectId, role: 'viewer', secretSha256: null, expiresAt: null, revokedAt });
      else if (!row.revokedAt) rows.set(keyId, { ...row, revokedAt });
    },
    deleteProject: async (projectId) => {
      for (const [keyId, row] of rows) if (row.projectId === projectId) rows.delete(keyId);
    },
    all: () => [...rows.values()],
  };
}
