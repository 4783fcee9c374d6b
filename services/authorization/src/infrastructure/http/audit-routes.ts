import { z } from 'zod';
import { ADMIN } from '@trellis/platform/auth/access';
import { defineRoute, type Route } from '@trellis/platform/http/route';
import { AUDIT_TYPES } from '../../domain/audit.js';
import { decodeCursor, listOf, pageAnswer, pageQuery } from '@trellis/platform/http/pagination';
import type { RouteDeps } from './route-deps.js';
import { auditSchema, auditView } from './views.js';

const auditQuery = z.object({
  ...pageQuery,
  type: z.enum(AUDIT_TYPES).optional(),
  project_id: z.uuid().optional(),
  user_id: z.uuid().optional().describe('Entries where this user acted or was acted upon'),
  since: z.iso.datetime({ offset: true }).optional().describe('From this time on (inclusive)'),
  until: z.iso.datetime({ offset: true }).optional().describe('Before this time'),
});

/** The security audit log, newest first: instance admins only. */
export function auditRoutes(deps: RouteDeps): Route[] {
  return [
    defineRoute({
      method: 'get', path: '/audit', operationId: 'authorizationListAuditEvents', summary: 'Query the security audit log',
      tags: ['audit'], access: ADMIN, query: auditQuery,
      responses: { 200: { description: 'A page of audit entries', schema: listOf(auditSchema) } },
      handler: async ({ query }) => {
        const before = decodeCursor(query.cursor, z.tuple([z.number().int()]));
        const page = await deps.queries.audit(
          {
            type: query.type, projectId: query.project_id, userId: query.user_id,
            since: query.since ? new Date(query.since) : undefined, until: query.until ? new Date(query.until) : undefined,
          },
          { limit: query.limit, before: before?.[0] },
        );
        return { status: 200, body: pageAnswer(page, auditView, (entry) => [entry.id]) };
      },
    }),
  ];
}
