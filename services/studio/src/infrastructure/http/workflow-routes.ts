import { z } from 'zod';
import type { JsonValue } from '@trellis/kernel/io';
import { projectRole } from '@trellis/platform/auth/access';
import { decodeCursor, listOf, pageAnswer, pageQuery } from '@trellis/platform/http/pagination';
import { HttpProblem } from '@trellis/platform/http/problem';
import { valueOr } from '@trellis/platform/http/results';
import { defineRoute, projectOf, type RequestContext, type Route } from '@trellis/platform/http/route';
import type { WorkflowUseCases } from '../../application/workflow-use-cases.js';
import type { WorkflowQueries } from '../postgres/workflow-queries.js';
import { readWorkflowYaml, writeWorkflowYaml } from '../yaml/workflow-yaml.js';
import { problemOf } from './problems.js';
import { invalidWorkflow, workflowProblemOf, type Locate } from './workflow-problems.js';
import {
  checkSchema, deployBody, documentBody, listQuery, patchBody, summarySchema, summaryView, undeployBody, versionParams, versionSchema, versionView,
  versionWithDocumentSchema, WORKFLOW_ID, workflowParams, workflowSchema, workflowView, withoutReadOnly,
} from './workflow-views.js';

const TAGS = ['workflows'];

/** YAML is taken under each of its media types in use. */
export const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'] as const;
const yamlText = { mediaTypes: YAML_TYPES, description: 'A workflow document as YAML (the same shape as the JSON)' };

export type WorkflowRouteDeps = { basePath: string; useCases: WorkflowUseCases; queries: WorkflowQueries };

const notFound = { description: 'workflow_not_found: no such workflow in your current project' };
const invalid = { description: 'workflow_invalid: every problem, with its code and path (and line and column for YAML)' };
const taken = { description: 'workflow_name_taken' };

/** Ids that are not UUIDs name no workflow (a 404, as an unknown one). */
function workflowIdOf(id: string): string {
  if (!WORKFLOW_ID.test(id)) throw workflowProblemOf({ type: 'WorkflowNotFound' });
  return id.toLowerCase();
}

function versionNumberOf(text: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(text)) throw new HttpProblem(404, 'workflow_version_not_found', 'Workflow version not found', 'Versions are numbered 1, 2, 3, ...');
  return Number(text);
}

/** Who acts: the user, or the API key for a project key. */
function actor(context: RequestContext): { projectId: string; by: string } {
  const { projectId, caller } = projectOf(context);
  return { projectId, by: caller.userId ?? caller.credentialId };
}

type Parsed = { document: JsonValue; locate?: Locate };

/** A body as a document: JSON as sent, or YAML read (a YAML error is a 422 like any other problem, located). */
function documentOf(body: JsonValue | undefined, text: string | undefined): Parsed {
  if (text === undefined) return { document: body ?? null };
  const read = readWorkflowYaml(text);
  if (!read.ok) {
    throw new HttpProblem(422, 'workflow_invalid', 'Invalid workflow', 'The body is not a YAML document studio can read.',
      read.errors.map((error) => ({ code: error.code, path: '', message: error.message, line: error.line, column: error.column })));
  }
  return { document: read.value, locate: read.locate };
}

export function makeWorkflowRoutes(deps: WorkflowRouteDeps): Route[] {
  const { basePath, useCases, queries } = deps;
  const view = async (projectId: string, workflowId: string) => {
    const found = valueOr(await useCases.getWorkflow({ projectId, workflowId }), problemOf);
    return workflowView(found.workflow, found.problems);
  };
  return [
    defineRoute({
      method: 'get', path: '/workflows', operationId: 'studioListWorkflows', tags: TAGS, access: projectRole('viewer'),
      summary: 'The project\'s workflows by name, with search, deployment status and trigger type filters',
      query: z.object({ ...pageQuery, ...listQuery }),
      responses: { 200: { description: 'One page of workflow summaries', schema: listOf(summarySchema) } },
      handler: async ({ query, context }) => {
        const { projectId } = projectOf(context);
        const after = decodeCursor(query.cursor, z.tuple([z.string()]));
        const page = await queries.list(projectId, { search: query.search, status: query.status, trigger: query.trigger }, { limit: query.limit, after: after?.[0] });
        return { status: 200, body: pageAnswer(page, summaryView, (summary) => [summary.name]) };
      },
    }),
    defineRoute({
      method: 'post', path: '/workflows', operationId: 'studioCreateWorkflow', tags: TAGS, access: projectRole('developer'),
      summary: 'Create a workflow from a document; its problems are saved with the draft and listed in the answer',
      description: '`action: id` is pinned to the newest built version of the action. Only a document without a valid name cannot be saved (422).',
      body: documentBody,
      responses: { 201: { description: 'Created', schema: workflowSchema }, 409: taken, 422: invalid },
      handler: async ({ body, context }) => {
        const saved = valueOr(await useCases.createWorkflow({ ...actor(context), document: withoutReadOnly(body) }), problemOf);
        return { status: 201, body: workflowView(saved.workflow, saved.problems), headers: { location: `${basePath}/workflows/${saved.workflow.id}` } };
      },
    }),
    defineRoute({
      method: 'post', path: '/workflows/import', operationId: 'studioImportWorkflow', tags: TAGS, access: projectRole('developer'),
      summary: 'Import a YAML document: a new workflow (201), or the new draft of the workflow of its name (200)',
      description: 'With `?workflow=<id>`, the new draft of that workflow instead (renamed after the document when the name is free). Problems carry their line and column.',
      text: yamlText,
      query: z.object({ workflow: z.string().max(100).optional().describe('The workflow whose draft the document replaces') }),
      responses: { 200: { description: 'The new draft of an existing workflow', schema: workflowSchema }, 201: { description: 'Created', schema: workflowSchema }, 404: notFound, 409: taken, 422: invalid },
      handler: async ({ text, query, context }) => {
        const workflowId = query.workflow === undefined ? undefined : workflowIdOf(query.workflow);
        const { document, locate } = documentOf(undefined, text);
        const imported = await useCases.importWorkflow({ ...actor(context), document: withoutReadOnly(document), workflowId });
        if (!imported.ok) throw imported.error.type === 'ProjectNotKnown' ? problemOf(imported.error) : workflowProblemOf(imported.error, locate);
        const { workflow, problems, created } = imported.value;
        return { status: created ? 201 : 200, body: workflowView(workflow, problems, locate), ...(created ? { headers: { location: `${basePath}/workflows/${workflow.id}` } } : {}) };
      },
    }),
    defineRoute({
      method: 'post', path: '/workflows/validate', operationId: 'studioValidateWorkflow', tags: TAGS, access: projectRole('viewer'),
      summary: 'Every problem of a document (JSON or YAML) against the project as it is, without saving it',
      description: '`?workflow=<id>`: the document is that workflow\'s draft (its own HTTP path is not taken).',
      body: documentBody, text: yamlText,
      query: z.object({ workflow: z.string().max(100).optional().describe('The workflow the document is a draft of') }),
      responses: { 200: { description: 'No problem', schema: checkSchema }, 422: invalid },
      handler: async ({ body, text, query, context }) => {
        const exceptId = query.workflow === undefined ? undefined : workflowIdOf(query.workflow);
        const { document, locate } = documentOf(body, text);
        const { problems } = await useCases.validateDocument({ projectId: projectOf(context).projectId, document: withoutReadOnly(document), exceptId });
        if (problems.length > 0) throw invalidWorkflow(`The document has ${problems.length} problem(s).`, problems, locate);
        return { status: 200, body: { valid: true, problems: [] } };
      },
    }),
    defineRoute({
      method: 'get', path: '/workflows/:id', operationId: 'studioGetWorkflow', tags: TAGS, access: projectRole('viewer'),
      summary: 'A workflow: its draft\'s fields, its problems now, its latest version and deployment',
      params: workflowParams,
      responses: { 200: { description: 'The workflow', schema: workflowSchema }, 404: notFound },
      handler: async ({ params, context }) => ({ status: 200, body: await view(projectOf(context).projectId, workflowIdOf(params.id)) }),
    }),
    defineRoute({
      method: 'put', path: '/workflows/:id', operationId: 'studioReplaceWorkflow', tags: TAGS, access: projectRole('developer'),
      summary: 'Replace the draft with a whole document (renamed when its name changed and is free)',
      params: workflowParams, body: documentBody,
      responses: { 200: { description: 'The workflow', schema: workflowSchema }, 404: notFound, 409: taken, 422: invalid },
      handler: async ({ params, body, context }) => {
        const saved = valueOr(await useCases.replaceDraft({ ...actor(context), workflowId: workflowIdOf(params.id), document: withoutReadOnly(body) }), problemOf);
        return { status: 200, body: workflowView(saved.workflow, saved.problems) };
      },
    }),
    defineRoute({
      method: 'patch', path: '/workflows/:id', operationId: 'studioPatchWorkflow', tags: TAGS, access: projectRole('developer'),
      summary: 'Change the draft with a JSON merge patch (application/merge-patch+json or application/json)',
      params: workflowParams, body: patchBody,
      responses: { 200: { description: 'The workflow', schema: workflowSchema }, 404: notFound, 409: taken, 422: invalid },
      handler: async ({ params, body, context }) => {
        const saved = valueOr(await useCases.patchDraft({ ...actor(context), workflowId: workflowIdOf(params.id), patch: withoutReadOnly(body) }), problemOf);
        return { status: 200, body: workflowView(saved.workflow, saved.problems) };
      },
    }),
    defineRoute({
      method: 'delete', path: '/workflows/:id', operationId: 'studioDeleteWorkflow', tags: TAGS, access: projectRole('developer'),
      summary: 'Delete a workflow with its versions; refused while it is deployed (or being deployed or undeployed)',
      params: workflowParams,
      responses: { 204: { description: 'Deleted' }, 404: notFound, 409: { description: 'workflow_deployed: undeploy it first' } },
      handler: async ({ params, context }) => {
        valueOr(await useCases.deleteWorkflow({ projectId: projectOf(context).projectId, workflowId: workflowIdOf(params.id) }), problemOf);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get', path: '/workflows/:id/export', operationId: 'studioExportWorkflow', tags: TAGS, access: projectRole('viewer'),
      summary: 'The draft, or a version, as a YAML file (secrets by name only, as in any document)',
      params: workflowParams,
      query: z.object({ version: z.string().max(20).optional().describe('A version number; without it, the draft') }),
      responses: { 200: { description: 'The YAML document', contentType: 'application/yaml' }, 404: { description: 'workflow_not_found, workflow_version_not_found' } },
      handler: async ({ params, query, context }) => {
        const version = query.version === undefined ? undefined : versionNumberOf(query.version);
        const exported = valueOr(await useCases.exportWorkflow({ projectId: projectOf(context).projectId, workflowId: workflowIdOf(params.id), version }), problemOf);
        return {
          status: 200, body: writeWorkflowYaml(exported.document), contentType: 'application/yaml',
          headers: { 'content-disposition': `attachment; filename="${exported.name}.yaml"` },
        };
      },
    }),
    defineRoute({
      method: 'get', path: '/workflows/:id/problems', operationId: 'studioGetWorkflowProblems', tags: TAGS, access: projectRole('viewer'),
      summary: 'Every problem of the draft, against the project as it is now',
      params: workflowParams,
      responses: { 200: { description: 'Its problems', schema: checkSchema }, 404: notFound },
      handler: async ({ params, context }) => {
        const found = await view(projectOf(context).projectId, workflowIdOf(params.id));
        return { status: 200, body: { valid: found.valid, problems: found.problems } };
      },
    }),
    defineRoute({
      method: 'post', path: '/workflows/:id/deploy', operationId: 'studioDeployWorkflow', tags: TAGS, access: projectRole('operator'),
      summary: 'Deploy the draft (validated, frozen as a version, or the latest version when unchanged), or with `version` an existing version',
      description: 'The runner receives the whole snapshot (WorkflowDeployRequested); `deployment.status` is `deploying` until it answers.',
      params: workflowParams, body: deployBody,
      responses: {
        202: { description: 'Requested', schema: workflowSchema }, 404: { description: 'workflow_not_found, workflow_version_not_found' },
        409: {
          description: 'pinned_action_unavailable: the version pins a build the library no longer has; ' +
            'image_missing: the workflow runs on the docker or kubernetes site and an action version it uses has no image for it',
        },
        422: invalid,
      },
      handler: async ({ params, body, context }) => {
        const workflowId = workflowIdOf(params.id);
        const { projectId, by } = actor(context);
        valueOr(await useCases.deployWorkflow({ projectId, workflowId, version: body?.version, by, traceId: context.traceId }), problemOf);
        return { status: 202, body: await view(projectId, workflowId) };
      },
    }),
    defineRoute({
      method: 'post', path: '/workflows/:id/undeploy', operationId: 'studioUndeployWorkflow', tags: TAGS, access: projectRole('operator'),
      summary: 'Stop serving the workflow: graceful (runs in flight finish, the default) or immediate (they are canceled)',
      params: workflowParams, body: undeployBody,
      responses: { 202: { description: 'Requested', schema: workflowSchema }, 404: notFound, 409: { description: 'not_deployed: nothing is deployed or being deployed' } },
      handler: async ({ params, body, context }) => {
        const workflowId = workflowIdOf(params.id);
        const { projectId, by } = actor(context);
        valueOr(await useCases.undeployWorkflow({ projectId, workflowId, mode: body?.mode ?? 'graceful', by, traceId: context.traceId }), problemOf);
        return { status: 202, body: await view(projectId, workflowId) };
      },
    }),
    defineRoute({
      method: 'get', path: '/workflows/:id/versions', operationId: 'studioListWorkflowVersions', tags: TAGS, access: projectRole('viewer'),
      summary: 'The workflow\'s frozen versions, newest first',
      params: workflowParams, query: z.object(pageQuery),
      responses: { 200: { description: 'One page of versions', schema: listOf(versionSchema) }, 404: notFound },
      handler: async ({ params, query, context }) => {
        const after = decodeCursor(query.cursor, z.tuple([z.number().int()]));
        const page = await queries.versions(projectOf(context).projectId, workflowIdOf(params.id), { limit: query.limit, after: after?.[0] });
        if (!page) throw workflowProblemOf({ type: 'WorkflowNotFound' });
        return { status: 200, body: pageAnswer(page, versionView, (version) => [version.version]) };
      },
    }),
    defineRoute({
      method: 'get', path: '/workflows/:id/versions/:n', operationId: 'studioGetWorkflowVersion', tags: TAGS, access: projectRole('viewer'),
      summary: 'One frozen version with its document',
      params: versionParams,
      responses: { 200: { description: 'The version', schema: versionWithDocumentSchema }, 404: { description: 'workflow_not_found, workflow_version_not_found' } },
      handler: async ({ params, context }) => {
        const version = valueOr(await useCases.getVersion({ projectId: projectOf(context).projectId, workflowId: workflowIdOf(params.id), version: versionNumberOf(params.n) }), problemOf);
        return { status: 200, body: { ...versionView(version), document: version.document } };
      },
    }),
  ];
}
