import { isRole } from '@trellis/kernel/roles';
import type { ApiKeyRevocation, IssuedApiKey, ProjectAnnouncement, ProjectDeletion } from './model.js';

/*
 * Wire -> tenancy input. Each service decodes authorization's events with the code generated
 * from its own pinned copy of the contract (services/<svc>/protos/authorization/v1/), handed
 * in as `messages`: the validation below is the same for all. Each decoder throws when a
 * required field is missing or malformed, so the consumer dead-letters the message at once
 * instead of acting on it. Ids are lowercased: they name rows and object prefixes, which must
 * not depend on case.
 */

type Meta = { readonly occurredAt?: Date | undefined } | undefined;
type Decoder<T> = { decode: (input: Uint8Array) => T };

/** What a service's generated `authorization/v1/events` module provides (ts-proto's classes fit as they are). */
export type AuthorizationMessages = {
  ProjectCreated: Decoder<{ projectId: string; name: string; meta?: Meta }>;
  ProjectDeleted: Decoder<{ projectId: string; meta?: Meta }>;
  ApiKeyIssued: Decoder<{ keyId: string; projectId: string; role: string; secretSha256: string; expiresAt?: Date | undefined; meta?: Meta }>;
  ApiKeyRevoked: Decoder<{ keyId: string; projectId: string; meta?: Meta }>;
};

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const sha256Pattern = /^[0-9a-f]{64}$/;

function uuid(value: string, what: string): string {
  if (!uuidPattern.test(value)) throw new Error(`${what} is not a UUID`);
  return value.toLowerCase();
}

function time(value: Date | undefined, what: string): Date {
  if (!value || Number.isNaN(value.getTime())) throw new Error(`${what} is missing or not a time`);
  return value;
}

export function makeTenancyCodecs(messages: AuthorizationMessages) {
  return {
    projectCreated: (content: Uint8Array): ProjectAnnouncement => {
      const message = messages.ProjectCreated.decode(content);
      if (!message.name) throw new Error('ProjectCreated without a name');
      return {
        projectId: uuid(message.projectId, 'ProjectCreated.project_id'),
        name: message.name,
        occurredAt: time(message.meta?.occurredAt, 'ProjectCreated.meta.occurred_at'),
      };
    },
    projectDeleted: (content: Uint8Array): ProjectDeletion => {
      const message = messages.ProjectDeleted.decode(content);
      return {
        projectId: uuid(message.projectId, 'ProjectDeleted.project_id'),
        occurredAt: time(message.meta?.occurredAt, 'ProjectDeleted.meta.occurred_at'),
      };
    },
    apiKeyIssued: (content: Uint8Array): IssuedApiKey => {
      const message = messages.ApiKeyIssued.decode(content);
      if (!isRole(message.role)) throw new Error('ApiKeyIssued.role is not a known role');
      if (!sha256Pattern.test(message.secretSha256)) throw new Error('ApiKeyIssued.secret_sha256 is not a lowercase hex SHA-256');
      return {
        keyId: uuid(message.keyId, 'ApiKeyIssued.key_id'),
        projectId: uuid(message.projectId, 'ApiKeyIssued.project_id'),
        role: message.role,
        secretSha256: message.secretSha256,
        expiresAt: message.expiresAt === undefined ? null : time(message.expiresAt, 'ApiKeyIssued.expires_at'),
      };
    },
    apiKeyRevoked: (content: Uint8Array): ApiKeyRevocation => {
      const message = messages.ApiKeyRevoked.decode(content);
      return {
        keyId: uuid(message.keyId, 'ApiKeyRevoked.key_id'),
        projectId: uuid(message.projectId, 'ApiKeyRevoked.project_id'),
        revokedAt: time(message.meta?.occurredAt, 'ApiKeyRevoked.meta.occurred_at'),
      };
    },
  };
}
