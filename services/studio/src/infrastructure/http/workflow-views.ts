import { z } from 'zod';
import type { JsonValue } from '@trellis/kernel/io';
import { DEPLOYMENT_STATUSES, UNDEPLOY_MODES, type Deployment, type Workflow, type WorkflowVersion } from '../../domain/workflow/workflow.js';
import type { Problem } from '../../domain/workflow/validate.js';
import type { WorkflowSummary } from '../postgres/workflow-queries.js';
import { problemEntry, type Locate } from './workflow-problems.js';

/* The JSON shapes of the workflow routes (also their OpenAPI schemas) and the functions that make them. */

const time = z.iso.datetime({ offset: true });

export const WORKFLOW_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const workflowParams = z.object({ id: z.string().max(100) });
export const versionParams = workflowParams.extend({ n: z.string().max(20) });

/** Any JSON: the validator, not the request schema, names what is wrong with a document (422, every problem). */
export const documentBody = z.json().describe('A workflow document (docs/workflows.md; JSON Schema in docs/workflow.schema.json). Read-only fields of the workflow view sent back are ignored.');

export const patchBody = z.json().describe('A JSON merge patch (RFC 7396) of the document: members replace, null removes, objects merge. Read-only fields are ignored.');

export const deployBody = z.object({
  // Versions are PostgreSQL integers: a larger number would fail in the database, not be "not found".
  version: z.number().int().min(1).max(2_147_483_647).optional().describe('Deploy this existing version again (a rollback); without it, the draft is validated and frozen'),
}).strict().optional();

export const undeployBody = z.object({
  mode: z.enum(UNDEPLOY_MODES).default('graceful').describe('graceful: runs in flight finish; immediate: they are canceled'),
}).strict().optional();

export const listQuery = {
  search: z.string().max(200).optional().describe('Text found in the name, title or description (any case)'),
  status: z.enum([...DEPLOYMENT_STATUSES, 'none']).optional().describe('Deployment status; none: never deployed'),
  trigger: z.enum(['http', 'schedule', 'manual', 'action']).optional().describe('Trigger type'),
};

/** Fields a client may send back from a view: they are the server's, and ignored in a document. */
export const READ_ONLY_FIELDS = ['id', 'problems', 'valid', 'latest_version', 'deployment', 'created_at', 'created_by', 'updated_at', 'updated_by'] as const;

export function withoutReadOnly(document: JsonValue): JsonValue {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return document;
  return Object.fromEntries(Object.entries(document).filter(([key]) => !(READ_ONLY_FIELDS as readonly string[]).includes(key)));
}

export const problemSchema = z.object({
  code: z.string().describe('Stable code (docs/workflows.md lists them)'),
  path: z.string().describe('Where in the document: steps[2].inputs.n'),
  message: z.string(),
  line: z.number().int().optional().describe('In a YAML body: the line, 1-based'),
  column: z.number().int().optional().describe('In a YAML body: the column, 1-based'),
});

export const deploymentSchema = z.object({
  status: z.enum(DEPLOYMENT_STATUSES),
  version: z.number().int().describe('The version the last request named'),
  serving_version: z.number().int().nullable().describe('The version the runner serves (kept by a failed redeploy)'),
  reason: z.string().optional().describe('Why the last deployment failed'),
  mode: z.enum(UNDEPLOY_MODES).optional().describe('How the last undeploy request treats runs in flight'),
  requested_by: z.string(),
  updated_at: time,
}).nullable();

function deploymentView(deployment: Deployment | null): z.output<typeof deploymentSchema> {
  if (!deployment) return null;
  return {
    status: deployment.status, version: deployment.version, serving_version: deployment.servingVersion,
    ...(deployment.reason !== null ? { reason: deployment.reason } : {}), ...(deployment.mode !== null && deployment.status.startsWith('undeploy') ? { mode: deployment.mode } : {}),
    requested_by: deployment.requestedBy, updated_at: deployment.updatedAt.toISOString(),
  };
}

const readOnly = {
  id: z.uuid(),
  problems: z.array(problemSchema).describe('Every problem of the draft now (the library, variables and other workflows change under it)'),
  valid: z.boolean().describe('No problems: it can be deployed'),
  latest_version: z.number().int().nullable().describe('The newest frozen version; null before the first deploy'),
  deployment: deploymentSchema,
  created_at: time,
  created_by: z.string(),
  updated_at: time,
  updated_by: z.string(),
};

export const workflowSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  name: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
  trigger: z.json().optional(),
  steps: z.json().optional(),
  results: z.json().optional(),
  on_finish: z.json().optional(),
  ...readOnly,
}).describe('The draft\'s document fields at the top level (GET, edit, PUT back), then the workflow\'s read-only fields');

export function workflowView(workflow: Workflow, problems: readonly Problem[], locate?: Locate): z.output<typeof workflowSchema> {
  const document = typeof workflow.document === 'object' && workflow.document !== null && !Array.isArray(workflow.document) ? workflow.document : {};
  return {
    ...withoutReadOnly(document) as Record<string, JsonValue>,
    name: workflow.name,
    id: workflow.id,
    problems: problems.map((problem) => problemEntry(problem, locate)),
    valid: problems.length === 0,
    latest_version: workflow.latestVersion > 0 ? workflow.latestVersion : null,
    deployment: deploymentView(workflow.deployment),
    created_at: workflow.createdAt.toISOString(), created_by: workflow.createdBy, updated_at: workflow.updatedAt.toISOString(), updated_by: workflow.updatedBy,
  };
}

export const summarySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  title: z.string(),
  description: z.string(),
  trigger_type: z.string().nullable(),
  http_path: z.string().nullable().describe('An HTTP trigger\'s path under /user-api/<project>/'),
  step_count: z.number().int(),
  latest_version: z.number().int().nullable(),
  deployment: deploymentSchema,
  created_at: time,
  created_by: z.string(),
  updated_at: time,
  updated_by: z.string(),
});

export function summaryView(summary: WorkflowSummary): z.output<typeof summarySchema> {
  return {
    id: summary.id, name: summary.name, title: summary.title, description: summary.description, trigger_type: summary.triggerType, http_path: summary.httpPath,
    step_count: summary.stepCount, latest_version: summary.latestVersion > 0 ? summary.latestVersion : null, deployment: deploymentView(summary.deployment),
    created_at: summary.createdAt.toISOString(), created_by: summary.createdBy, updated_at: summary.updatedAt.toISOString(), updated_by: summary.updatedBy,
  };
}

export const checkSchema = z.object({ valid: z.boolean(), problems: z.array(problemSchema) });

export const versionSchema = z.object({
  version: z.number().int(),
  checksum: z.string().describe('SHA-256 (hex) of the document\'s canonical JSON text and the pins'),
  actions: z.array(z.object({ id: z.string(), version: z.string(), digest: z.string() })).describe('Every action version it uses, with its artifact\'s digest'),
  created_at: time,
  created_by: z.string(),
});

export const versionWithDocumentSchema = versionSchema.extend({ document: z.json().describe('The frozen document') });

export function versionView(version: Omit<WorkflowVersion, 'document'>): z.output<typeof versionSchema> {
  return {
    version: version.version, checksum: version.checksum, actions: version.pins.map((pin) => ({ id: pin.actionId, version: pin.version, digest: pin.digest })),
    created_at: version.createdAt.toISOString(), created_by: version.createdBy,
  };
}
