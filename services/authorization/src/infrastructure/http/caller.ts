import type { RequestMeta } from '../../application/ports.js';
import type { Actor } from '../../domain/actor.js';
import { HttpProblem } from '@trellis/platform/http/problem';
import { callerOf, type RequestContext } from '@trellis/platform/http/route';

export function actorOf(context: RequestContext): Actor {
  const caller = callerOf(context);
  return {
    userId: caller.via === 'token' ? caller.userId : null,
    apiKeyId: caller.via === 'api_key' ? caller.credentialId : null,
    isAdmin: caller.isAdmin,
    projectId: caller.projectId,
    role: caller.role,
  };
}

/**
 * The person behind an access token. API keys act for a project, not for a person: they have
 * no `/me`, no session to switch or end, and never reach admin routes.
 */
export function personOf(context: RequestContext): { actor: Actor & { userId: string }; sessionId: string | null } {
  const caller = callerOf(context);
  const actor = actorOf(context);
  if (caller.via !== 'token' || actor.userId === null) {
    throw new HttpProblem(403, 'user_token_required', 'User token required', 'This route needs a user\'s access token; API keys cannot use it.');
  }
  return { actor: { ...actor, userId: actor.userId }, sessionId: caller.sessionId };
}

/**
 * The client's address for throttling and audit. The platform takes the leftmost
 * X-Forwarded-For entry, which the client itself can write; the gateway appends the address it
 * saw, so the rightmost entry is the one a client cannot forge.
 */
export function clientAddressOf(context: RequestContext): string | null {
  const header = context.headers['x-forwarded-for'];
  const value = Array.isArray(header) ? header.join(',') : header;
  const last = value?.split(',').map((part) => part.trim()).filter(Boolean).at(-1);
  return (last ?? context.clientIp) || null;
}

export function metaOf(context: RequestContext): RequestMeta {
  return { traceId: context.traceId, clientIp: clientAddressOf(context) };
}
