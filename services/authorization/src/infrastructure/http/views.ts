import { z } from 'zod';
import type { TokenPair } from '../../application/token-pair.js';
import type { ApiKey } from '../../domain/api-key.js';
import { AUDIT_TYPES } from '../../domain/audit.js';
import type { Project } from '../../domain/project.js';
import { ROLES } from '../../domain/role.js';
import type { User } from '../../domain/user.js';
import type { AuditRecord, MemberView } from '../postgres/queries.js';

/** The JSON shapes this service answers with, as zod schemas (the OpenAPI source) and the functions that fill them. */
export const roleSchema = z.enum(ROLES);
const timestamp = z.iso.datetime();

export const userSchema = z.object({
  id: z.uuid(), username: z.string(), display_name: z.string(), email: z.string().nullable(),
  is_admin: z.boolean(), disabled: z.boolean(), created_at: timestamp,
});
export const userView = (user: User) => ({
  id: user.id, username: user.username, display_name: user.displayName, email: user.email,
  is_admin: user.isAdmin, disabled: user.disabled, created_at: user.createdAt,
});

export const projectSchema = z.object({ id: z.uuid(), name: z.string(), title: z.string().nullable(), created_by: z.string(), created_at: timestamp });
export const projectView = (project: Project) => ({
  id: project.id, name: project.name, title: project.title, created_by: project.createdBy, created_at: project.createdAt,
});

export const memberSchema = z.object({ user_id: z.uuid(), username: z.string(), display_name: z.string(), role: roleSchema, created_at: timestamp });
export const memberView = (member: MemberView) => ({
  user_id: member.userId, username: member.username, display_name: member.displayName, role: member.role, created_at: member.createdAt,
});

export const apiKeySchema = z.object({
  id: z.uuid(), name: z.string(), prefix: z.string().describe('The visible start of the key, to tell keys apart'), role: roleSchema,
  created_at: timestamp, created_by: z.string().describe('Id of the user (or API key) that created it'),
  expires_at: timestamp.nullable(), revoked_at: timestamp.nullable(),
});
/** Never the secret nor its hash. */
export const apiKeyView = (key: ApiKey) => ({
  id: key.id, name: key.name, prefix: key.prefix, role: key.role, created_at: key.createdAt, created_by: key.createdBy,
  expires_at: key.expiresAt, revoked_at: key.revokedAt,
});

export const tokenPairSchema = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().describe('Seconds the access token lives'),
  project_id: z.uuid().nullable().describe('The project the access token is for'),
});
export const tokenPairView = (pair: TokenPair) => ({
  access_token: pair.accessToken, refresh_token: pair.refreshToken, token_type: 'Bearer' as const, expires_in: pair.expiresIn, project_id: pair.projectId,
});

export const auditSchema = z.object({
  id: z.number().int(), type: z.enum(AUDIT_TYPES), outcome: z.enum(['success', 'failure']),
  actor_user_id: z.uuid().nullable(), actor_api_key_id: z.uuid().nullable(), project_id: z.uuid().nullable(),
  target_type: z.string().nullable(), target_id: z.string().nullable(), client_ip: z.string().nullable(), trace_id: z.string(),
  details: z.record(z.string(), z.unknown()), occurred_at: timestamp,
});
export const auditView = (entry: AuditRecord) => ({
  id: entry.id, type: entry.type, outcome: entry.outcome, actor_user_id: entry.actorUserId, actor_api_key_id: entry.actorApiKeyId,
  project_id: entry.projectId, target_type: entry.targetType, target_id: entry.targetId, client_ip: entry.clientIp,
  trace_id: entry.traceId, details: entry.details, occurred_at: entry.occurredAt,
});

export const idParams = {
  projectId: z.uuid().describe('Project id'),
  userId: z.uuid().describe('User id'),
  keyId: z.uuid().describe('API key id'),
};
