import { z } from 'zod';
import type { Build } from '../../domain/build.js';
import { BUILD_STATUSES } from '../../domain/build.js';
import { SCAN_STATUSES, type Scan } from '../../domain/scan.js';
import type { ScannedAction, ScanProblem } from '../../domain/scan-result.js';
import type { Source } from '../../domain/source.js';
import type { ScanDetail, ScanSummary, SourceListItem } from '../postgres/queries.js';
import { ioSchema, ioView } from '@trellis/platform/http/io-view';

/* The JSON shapes of the answers (also their OpenAPI schemas) and the functions that make them. Never a secret. */

const time = z.iso.datetime({ offset: true });
const iso = (date: Date | null) => date?.toISOString() ?? null;

export const sourceSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  url: z.string(),
  branch: z.string().nullable().describe('Null: the remote\'s default branch'),
  username: z.string().nullable().describe('The username of the credentials, when the source has some'),
  has_credentials: z.boolean().describe('Whether a password or token is stored (sealed; it is never shown)'),
  managed: z.boolean().describe('Kept by Trellis (the standard library, updated with Trellis): it can be scanned and built, not changed or deleted'),
  created_by: z.string(),
  created_at: time,
  updated_at: time,
});

export function sourceView(source: Source): z.output<typeof sourceSchema> {
  return {
    id: source.id, name: source.name, url: source.url, branch: source.branch, username: source.username, has_credentials: source.hasCredentials,
    managed: source.managed,
    created_by: source.createdBy, created_at: source.createdAt.toISOString(), updated_at: source.updatedAt.toISOString(),
  };
}

export const scanSchema = z.object({
  id: z.uuid(),
  source_id: z.uuid(),
  status: z.enum(SCAN_STATUSES),
  requested_by: z.string(),
  requested_at: time,
  started_at: time.nullable(),
  finished_at: time.nullable(),
  attempt: z.number().int(),
  commit: z.string().nullable().describe('The commit scanned (full hex name)'),
  branch: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable().describe('Why the scan failed, in plain words'),
});

export function scanView(scan: Scan): z.output<typeof scanSchema> {
  return {
    id: scan.id, source_id: scan.sourceId, status: scan.status, requested_by: scan.requestedBy, requested_at: scan.requestedAt.toISOString(),
    started_at: iso(scan.startedAt), finished_at: iso(scan.finishedAt), attempt: scan.attempt, commit: scan.commit, branch: scan.branch,
    error: scan.failure,
  };
}

export const scanSummarySchema = scanSchema.extend({ action_count: z.number().int(), problem_count: z.number().int() });

export function scanSummaryView(scan: ScanSummary): z.output<typeof scanSummarySchema> {
  return { ...scanView(scan), action_count: scan.actionCount, problem_count: scan.problemCount };
}

export const buildSchema = z.object({
  id: z.uuid(),
  action_id: z.string(),
  version: z.string(),
  folder: z.string(),
  commit: z.string(),
  status: z.enum(BUILD_STATUSES),
  attempt: z.number().int(),
  digest: z.string().nullable().describe('SHA-256 of the artifact, once built'),
  reason: z.string().nullable().describe('Why it failed or was canceled'),
  log_tail: z.string().nullable().describe('The end of the build log of a failed build'),
  requested_at: time,
  updated_at: time,
});

export function buildView(build: Build): z.output<typeof buildSchema> {
  return {
    id: build.id, action_id: build.actionId, version: build.version, folder: build.folder, commit: build.commit, status: build.status,
    attempt: build.attempt, digest: build.digest, reason: build.reason, log_tail: build.logTail,
    requested_at: build.requestedAt.toISOString(), updated_at: build.updatedAt.toISOString(),
  };
}

export const actionSchema = z.object({
  id: z.string(),
  version: z.string(),
  kind: z.string(),
  name: z.string(),
  description: z.string(),
  runtime: z.string(),
  format: z.string().describe('trellis or ryax'),
  handler: z.string(),
  folder: z.string().describe('The action\'s folder from the repository root ("" for the root)'),
  manifest: z.string(),
  categories: z.array(z.string()),
  inputs: z.array(ioSchema),
  outputs: z.array(ioSchema),
  resources: z.object({ cpu: z.number().optional(), memory_bytes: z.number().optional(), timeout_ms: z.number().optional() }),
  source_sha256: z.string().describe('SHA-256 of the action folder\'s deterministic tarball'),
  source_size: z.number().int(),
  change: z.enum(['new', 'changed', 'unchanged']).describe('Compared with the previous scan of the source'),
  build: buildSchema.nullable().describe('The newest build of this content, if one was asked for'),
});

function actionView(action: ScannedAction & { build: Build | null }): z.output<typeof actionSchema> {
  const { resources } = action.action;
  return {
    id: action.action.id, version: action.action.version, kind: action.action.kind, name: action.action.name,
    description: action.action.description, runtime: action.action.runtime, format: action.action.format, handler: action.action.handler,
    folder: action.folder, manifest: action.action.manifest, categories: [...action.action.categories],
    inputs: action.action.inputs.map(ioView), outputs: action.action.outputs.map(ioView),
    resources: {
      ...(resources.cpu !== undefined ? { cpu: resources.cpu } : {}), ...(resources.memoryBytes !== undefined ? { memory_bytes: resources.memoryBytes } : {}),
      ...(resources.timeoutMs !== undefined ? { timeout_ms: resources.timeoutMs } : {}),
    },
    source_sha256: action.sha256, source_size: action.size, change: action.change, build: action.build && buildView(action.build),
  };
}

const problemSchema = z.object({
  folder: z.string(), file: z.string().describe('From the repository root'), line: z.number().int(), column: z.number().int(),
  code: z.string(), message: z.string(),
});

function problemView(problem: ScanProblem): z.output<typeof problemSchema> {
  return { folder: problem.folder, file: problem.file, line: problem.line, column: problem.column, code: problem.code, message: problem.message };
}

export const scanDetailSchema = scanSchema.extend({
  actions: z.array(actionSchema),
  removed: z.array(z.object({ id: z.string(), version: z.string(), folder: z.string() })).describe('Actions of the previous scan that are gone'),
  problems: z.array(problemSchema),
});

export function scanDetailView(detail: ScanDetail): z.output<typeof scanDetailSchema> {
  return {
    ...scanView(detail.scan), actions: detail.actions.map(actionView), removed: detail.removed.map((r) => ({ ...r })), problems: detail.problems.map(problemView),
  };
}

export const sourceListItemSchema = sourceSchema.extend({ last_scan: scanSummarySchema.nullable() });

export function sourceListItemView(item: SourceListItem): z.output<typeof sourceListItemSchema> {
  return { ...sourceView(item.source), last_scan: item.lastScan && scanSummaryView(item.lastScan) };
}

export const sourceDetailSchema = sourceSchema.extend({ last_scan: scanDetailSchema.nullable().describe('The newest scan, with what it found') });
