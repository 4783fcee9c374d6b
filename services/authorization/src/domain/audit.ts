/**
 * Security events kept for administrators. An entry names who, what and where, and never a
 * secret: `details` holds field names and reasons, not values.
 */
export const AUDIT_TYPES = [
  'login',
  'logout',
  'refresh_token_reused',
  'project_switched',
  'user_created',
  'user_updated',
  'user_deleted',
  'password_changed',
  'project_created',
  'project_updated',
  'project_deleted',
  'membership_changed',
  'api_key_created',
  'api_key_revoked',
  'signing_key_rotated',
] as const;

export type AuditType = (typeof AUDIT_TYPES)[number];

export type AuditOutcome = 'success' | 'failure';

export type AuditEntry = {
  readonly type: AuditType;
  readonly outcome: AuditOutcome;
  readonly actorUserId: string | null;
  readonly actorApiKeyId: string | null;
  readonly projectId: string | null;
  readonly targetType: 'user' | 'project' | 'api_key' | 'session' | 'signing_key' | null;
  readonly targetId: string | null;
  readonly clientIp: string | null;
  readonly traceId: string;
  readonly details: Readonly<Record<string, string | number | boolean | readonly string[] | null>>;
  readonly occurredAt: Date;
};
