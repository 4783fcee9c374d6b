import { z } from 'zod';
import { projectRole } from '@trellis/platform/auth/access';
import { decodeCursor, listOf, pageAnswer, pageQuery } from '@trellis/platform/http/pagination';
import { valueOr } from '@trellis/platform/http/results';
import { defineRoute, projectOf, type Route } from '@trellis/platform/http/route';
import { problemOf } from './problems.js';
import type { RouteDeps } from './route-deps.js';
import { scanParams, sourceParams } from './schemas.js';
import { scanDetailSchema, scanDetailView, scanSchema, scanSummarySchema, scanSummaryView, scanView } from './views.js';

const TAGS = ['scans'];

/** Scans of a source: durable jobs (`queued -> running -> done | failed | canceled`) run by the service's workers. */
export function scanRoutes(deps: RouteDeps, basePath: string): Route[] {
  return [
    defineRoute({
      method: 'post', path: '/sources/:id/scan', operationId: 'repositoryScanSource',
      summary: 'Scan the source: clone its branch, find every action (trellis.yaml, ryax_metadata.yaml) and every problem',
      description: 'Answers at once with the queued scan; poll the scan (or the source) for its outcome. While a scan of the source still waits, that one is answered.',
      tags: TAGS, access: projectRole('developer'), params: sourceParams,
      responses: { 202: { description: 'The queued scan', schema: scanSchema }, 404: { description: 'source_not_found' } },
      handler: async ({ params, context }) => {
        const { projectId, caller } = projectOf(context);
        const { scan } = valueOr(await deps.useCases.requestScan({ projectId, sourceId: params.id, requestedBy: caller.userId ?? caller.credentialId }), problemOf);
        return { status: 202, body: scanView(scan), headers: { location: `${basePath}/sources/${params.id}/scans/${scan.id}` } };
      },
    }),
    defineRoute({
      method: 'get', path: '/sources/:id/scans', operationId: 'repositoryListScans', summary: 'The scans of a source, newest first',
      tags: TAGS, access: projectRole('viewer'), params: sourceParams, query: z.object(pageQuery),
      responses: { 200: { description: 'A page of scans', schema: listOf(scanSummarySchema) }, 404: { description: 'source_not_found' } },
      handler: async ({ params, query, context }) => {
        const { projectId } = projectOf(context);
        const after = decodeCursor(query.cursor, z.tuple([z.iso.datetime({ offset: true }), z.uuid()]));
        const page = await deps.queries.scans(projectId, params.id, { limit: query.limit, after: after && { requestedAt: new Date(after[0]), id: after[1] } });
        if (!page) throw problemOf({ type: 'SourceNotFound' });
        return { status: 200, body: pageAnswer(page, scanSummaryView, (scan) => [scan.requestedAt.toISOString(), scan.id]) };
      },
    }),
    defineRoute({
      method: 'get', path: '/sources/:id/scans/:scanId', operationId: 'repositoryGetScan',
      summary: 'One scan: its status and, once done, the actions found (with their build status) and the problems',
      tags: TAGS, access: projectRole('viewer'), params: scanParams,
      responses: { 200: { description: 'The scan', schema: scanDetailSchema }, 404: { description: 'scan_not_found' } },
      handler: async ({ params, context }) => {
        const { projectId } = projectOf(context);
        const detail = await deps.queries.scan(projectId, params.id, params.scanId);
        if (!detail) throw problemOf({ type: 'ScanNotFound' });
        return { status: 200, body: scanDetailView(detail) };
      },
    }),
    defineRoute({
      method: 'post', path: '/sources/:id/scans/:scanId/cancel', operationId: 'repositoryCancelScan',
      summary: 'Cancel a queued or running scan (a running clone is stopped; nothing it found is kept)',
      tags: TAGS, access: projectRole('developer'), params: scanParams,
      responses: { 200: { description: 'The canceled scan', schema: scanSchema }, 404: { description: 'scan_not_found' }, 409: { description: 'scan_finished' } },
      handler: async ({ params, context }) => {
        const { projectId } = projectOf(context);
        const scan = valueOr(await deps.useCases.cancelScan({ projectId, sourceId: params.id, scanId: params.scanId }), problemOf);
        return { status: 200, body: scanView(scan) };
      },
    }),
  ];
}
