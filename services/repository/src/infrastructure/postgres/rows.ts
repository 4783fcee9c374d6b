import type { Selectable } from 'kysely';
import type { Build, BuildStatus } from '../../domain/build.js';
import type { Scan, ScanFailureCode, ScanStatus } from '../../domain/scan.js';
import type { Change, ScannedAction, ScanProblem } from '../../domain/scan-result.js';
import type { Source } from '../../domain/source.js';
import type { BuildsTable, ScanActionsTable, ScanProblemsTable, ScansTable, SourcesTable } from './schema.js';

/* Rows to domain values and back: one place for each table's columns. */

export function sourceFromRow(row: Selectable<SourcesTable>): Source {
  return {
    id: row.id, projectId: row.project_id, name: row.name, url: row.url, branch: row.branch, username: row.username,
    hasCredentials: row.sealed_password !== null, managed: row.managed, createdBy: row.created_by, createdAt: row.created_at, updatedAt: row.updated_at,
  };
}

export function sourceToRow(source: Source): Omit<SourcesTable, 'sealed_password' | 'managed'> & { managed: boolean } {
  return {
    id: source.id, project_id: source.projectId, name: source.name, url: source.url, branch: source.branch, username: source.username, managed: source.managed,
    created_by: source.createdBy, created_at: source.createdAt, updated_at: source.updatedAt,
  };
}

export function scanFromRow(row: Selectable<ScansTable>): Scan {
  return {
    id: row.id, projectId: row.project_id, sourceId: row.source_id, status: row.status as ScanStatus, requestedBy: row.requested_by,
    requestedAt: row.requested_at, startedAt: row.started_at, finishedAt: row.finished_at, attempt: row.attempt,
    commit: row.commit_sha, branch: row.branch,
    failure: row.failure_code === null ? null : { code: row.failure_code as ScanFailureCode, message: row.failure_message ?? '' },
  };
}

/** The columns of a scan that its life changes (status, times, outcome). */
export function scanOutcomeToRow(scan: Scan): Pick<ScansTable, 'status' | 'started_at' | 'finished_at' | 'commit_sha' | 'branch' | 'failure_code' | 'failure_message'> {
  return {
    status: scan.status, started_at: scan.startedAt, finished_at: scan.finishedAt, commit_sha: scan.commit, branch: scan.branch,
    failure_code: scan.failure?.code ?? null, failure_message: scan.failure?.message ?? null,
  };
}

export function scannedActionFromRow(row: Selectable<ScanActionsTable>): ScannedAction {
  return {
    folder: row.folder, action: row.description, sha256: row.source_sha256, size: Number(row.source_size),
    object: row.source_object, change: row.change as Change,
  };
}

export function scannedActionToRow(scanId: string, action: ScannedAction) {
  return {
    scan_id: scanId, action_id: action.action.id, version: action.action.version, folder: action.folder,
    description: JSON.stringify(action.action), source_sha256: action.sha256, source_size: action.size,
    source_object: action.object, change: action.change,
  };
}

export function problemFromRow(row: Selectable<ScanProblemsTable>): ScanProblem {
  return { folder: row.folder, file: row.file, line: row.line_number, column: row.column_number, code: row.code, message: row.message };
}

export function problemToRow(scanId: string, seq: number, problem: ScanProblem): ScanProblemsTable {
  return {
    scan_id: scanId, seq, folder: problem.folder, file: problem.file, line_number: problem.line, column_number: problem.column,
    code: problem.code, message: problem.message,
  };
}

export function buildFromRow(row: Selectable<BuildsTable>): Build {
  return {
    id: row.id, projectId: row.project_id, sourceId: row.source_id, scanId: row.scan_id, actionId: row.action_id, version: row.version,
    folder: row.folder, commit: row.commit_sha, sourceObject: row.source_object, sourceSha256: row.source_sha256,
    status: row.status as BuildStatus, attempt: row.attempt, digest: row.digest, artifactObject: row.artifact_object,
    reason: row.reason, logTail: row.log_tail, requestedBy: row.requested_by, requestedAt: row.requested_at, updatedAt: row.updated_at,
  };
}

export function buildToRow(build: Build): BuildsTable {
  return {
    id: build.id, project_id: build.projectId, source_id: build.sourceId, scan_id: build.scanId, action_id: build.actionId,
    version: build.version, folder: build.folder, commit_sha: build.commit, source_object: build.sourceObject,
    source_sha256: build.sourceSha256, status: build.status, attempt: build.attempt, digest: build.digest,
    artifact_object: build.artifactObject, reason: build.reason, log_tail: build.logTail, requested_by: build.requestedBy,
    requested_at: build.requestedAt, updated_at: build.updatedAt,
  };
}
