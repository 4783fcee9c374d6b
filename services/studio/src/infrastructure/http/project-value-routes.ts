import { z } from 'zod';
import { projectRole } from '@trellis/platform/auth/access';
import { decodeCursor, listOf, pageAnswer, pageQuery } from '@trellis/platform/http/pagination';
import { valueOr } from '@trellis/platform/http/results';
import { defineRoute, projectOf, type RequestContext, type Route } from '@trellis/platform/http/route';
import type { ProjectValueUseCases } from '../../application/project-value-use-cases.js';
import { checkName } from '../../domain/project-values.js';
import type { ProjectValueQueries } from '../postgres/project-value-queries.js';
import { problemOf } from './problems.js';
import { secretSchema, secretView, setSecretBody, setVariableBody, valueListQuery, valueParams, variableSchema, variableView } from './project-value-schemas.js';

export type ProjectValueRouteDeps = { basePath: string; useCases: ProjectValueUseCases; queries: ProjectValueQueries };

const badName = { description: 'invalid_name' };
const badValue = { description: 'invalid_name, invalid_value, value_too_large, value_too_deep, or invalid_request (a body of the wrong shape)' };

/** The name in the path, checked once: a name that breaks the rules answers invalid_name, whichever the route. */
function nameOf(params: { name: string }): string {
  const bad = checkName(params.name);
  if (bad) throw problemOf(bad);
  return params.name;
}

const actor = (context: RequestContext) => {
  const { projectId, caller } = projectOf(context);
  return { projectId, updatedBy: caller.userId ?? caller.credentialId, traceId: context.traceId };
};

const cursorKey = z.tuple([z.string()]);

/** The project's variables (readable by viewers) and secrets (write-only values), under `/variables` and `/secrets`. */
export function makeProjectValueRoutes(deps: ProjectValueRouteDeps): Route[] {
  const { basePath, useCases, queries } = deps;
  return [
    defineRoute({
      method: 'get', path: '/variables', operationId: 'studioListVariables', tags: ['variables'], access: projectRole('viewer'),
      summary: 'The project\'s variables with their values, by name',
      query: z.object({ ...pageQuery, ...valueListQuery }),
      responses: { 200: { description: 'One page of variables', schema: listOf(variableSchema) } },
      handler: async ({ query, context }) => {
        const after = decodeCursor(query.cursor, cursorKey)?.[0];
        const page = await queries.variables(projectOf(context).projectId, { search: query.search, limit: query.limit, after });
        return { status: 200, body: pageAnswer(page, variableView, (variable) => [variable.name]) };
      },
    }),
    defineRoute({
      method: 'get', path: '/variables/:name', operationId: 'studioGetVariable', tags: ['variables'], access: projectRole('viewer'),
      summary: 'One variable with its value', params: valueParams,
      responses: { 200: { description: 'The variable', schema: variableSchema }, 400: badName, 404: { description: 'variable_not_found' } },
      handler: async ({ params, context }) => {
        const name = nameOf(params);
        const variable = await queries.variable(projectOf(context).projectId, name);
        if (!variable) throw problemOf({ type: 'VariableNotFound', name });
        return { status: 200, body: variableView(variable) };
      },
    }),
    defineRoute({
      method: 'put', path: '/variables/:name', operationId: 'studioSetVariable', tags: ['variables'], access: projectRole('developer'),
      summary: 'Create or replace a variable',
      description: 'Workflows read it as ${{ vars.NAME }}; deployed workflows see the new value from their next run on (ProjectVariableSet).',
      params: valueParams, body: setVariableBody,
      responses: {
        200: { description: 'Replaced', schema: variableSchema }, 201: { description: 'Created', schema: variableSchema },
        400: badValue, 404: { description: 'project_not_found: studio has not heard of the project yet' },
      },
      handler: async ({ params, body, context }) => {
        const name = nameOf(params);
        const { variable, created } = valueOr(await useCases.setVariable({ ...actor(context), name, value: body.value }), problemOf);
        return { status: created ? 201 : 200, body: variableView(variable), ...(created ? { headers: { location: `${basePath}/variables/${name}` } } : {}) };
      },
    }),
    defineRoute({
      method: 'delete', path: '/variables/:name', operationId: 'studioDeleteVariable', tags: ['variables'], access: projectRole('developer'),
      summary: 'Delete a variable', params: valueParams,
      responses: { 204: { description: 'Deleted' }, 400: badName, 404: { description: 'variable_not_found' } },
      handler: async ({ params, context }) => {
        const { projectId, traceId } = actor(context);
        valueOr(await useCases.deleteVariable({ projectId, traceId, name: nameOf(params) }), problemOf);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get', path: '/secrets', operationId: 'studioListSecrets', tags: ['secrets'], access: projectRole('viewer'),
      summary: 'The project\'s secrets by name: names and update times only, never a value',
      query: z.object({ ...pageQuery, ...valueListQuery }),
      responses: { 200: { description: 'One page of secrets', schema: listOf(secretSchema) } },
      handler: async ({ query, context }) => {
        const after = decodeCursor(query.cursor, cursorKey)?.[0];
        const page = await queries.secrets(projectOf(context).projectId, { search: query.search, limit: query.limit, after });
        return { status: 200, body: pageAnswer(page, secretView, (secret) => [secret.name]) };
      },
    }),
    defineRoute({
      method: 'get', path: '/secrets/:name', operationId: 'studioGetSecret', tags: ['secrets'], access: projectRole('viewer'),
      summary: 'One secret\'s name and update time (never its value)', params: valueParams,
      responses: { 200: { description: 'The secret', schema: secretSchema }, 400: badName, 404: { description: 'secret_not_found' } },
      handler: async ({ params, context }) => {
        const name = nameOf(params);
        const secret = await queries.secret(projectOf(context).projectId, name);
        if (!secret) throw problemOf({ type: 'SecretNotFound', name });
        return { status: 200, body: secretView(secret) };
      },
    }),
    defineRoute({
      method: 'put', path: '/secrets/:name', operationId: 'studioSetSecret', tags: ['secrets'], access: projectRole('developer'),
      summary: 'Create or replace (rotate) a secret; its value is never shown again',
      description: 'Stored sealed with studio\'s key; sent to the runner sealed to its key only (ProjectSecretSet). Workflows read it as ${{ secrets.NAME }}; '
        + 'deployed workflows use the new value from their next run on, without a redeploy.',
      params: valueParams, body: setSecretBody,
      responses: {
        200: { description: 'Replaced (the value is not answered)', schema: secretSchema }, 201: { description: 'Created (the value is not answered)', schema: secretSchema },
        400: badValue, 404: { description: 'project_not_found: studio has not heard of the project yet' },
      },
      handler: async ({ params, body, context }) => {
        const name = nameOf(params);
        const { secret, created } = valueOr(await useCases.setSecret({ ...actor(context), name, value: body.value }), problemOf);
        return { status: created ? 201 : 200, body: secretView(secret), ...(created ? { headers: { location: `${basePath}/secrets/${name}` } } : {}) };
      },
    }),
    defineRoute({
      method: 'delete', path: '/secrets/:name', operationId: 'studioDeleteSecret', tags: ['secrets'], access: projectRole('developer'),
      summary: 'Delete a secret', params: valueParams,
      responses: { 204: { description: 'Deleted' }, 400: badName, 404: { description: 'secret_not_found' } },
      handler: async ({ params, context }) => {
        const { projectId, traceId } = actor(context);
        valueOr(await useCases.deleteSecret({ projectId, traceId, name: nameOf(params) }), problemOf);
        return { status: 204 };
      },
    }),
  ];
}
