import type { JsonValue } from '@trellis/kernel/io';
import type { IoDeclaration, Trigger } from '@trellis/workflow-language/document';
import type { Reference } from '@trellis/workflow-language/expression';
import { staticTypeOfTemplate } from '@trellis/workflow-language/template';
import { ANY, io, listOf, type IoType, type ValueType } from '@trellis/workflow-language/value-types';
import type { PinnedAction } from '../../domain/deployment.js';
import { planOf, type Plan } from '../../domain/plan.js';

/*
 * The OpenAPI 3.1 document of a project's HTTP triggers (`/user-api/<project>/openapi.json`):
 * one path per serving trigger, its inputs as the request (a JSON body for POST, the query for
 * GET), its results as the 200 answer (typed when their static types are known), the 202 of a
 * run that outlives the timeout, and the security its `auth` declares.
 */

type Schema = Record<string, unknown>;

function ioSchema(type: IoType, values?: readonly string[]): Schema {
  switch (type) {
    case 'string':
    case 'longstring':
      return { type: 'string' };
    case 'password':
      return { type: 'string', format: 'password', writeOnly: true };
    case 'integer':
      return { type: 'integer' };
    case 'float':
      return { type: 'number' };
    case 'boolean':
      return { type: 'boolean' };
    case 'enum':
      return values === undefined ? { type: 'string' } : { type: 'string', enum: [...values] };
    case 'json':
      return {};
    case 'file':
    case 'directory':
      return { type: 'object', description: 'A file: not taken by HTTP triggers yet (multipart/form-data comes later).' };
  }
}

export function valueSchema(type: ValueType): Schema {
  switch (type.kind) {
    case 'io':
      return ioSchema(type.type, type.values);
    case 'list':
      return { type: 'array', items: valueSchema(type.of) };
    case 'null':
      return { type: 'null' };
    case 'any':
      return {};
  }
}

function declarationSchema(declaration: IoDeclaration): Schema {
  return {
    ...ioSchema(declaration.type, declaration.values),
    ...(declaration.help ? { description: declaration.help } : {}),
    ...(declaration.default !== undefined && declaration.type !== 'password' ? { default: declaration.default } : {}),
  };
}

export function inputsSchema(inputs: readonly IoDeclaration[]): Schema {
  const required = inputs.filter((input) => !input.optional && input.default === undefined).map((input) => input.name);
  return {
    type: 'object', additionalProperties: false,
    properties: Object.fromEntries(inputs.map((input) => [input.name, declarationSchema(input)])),
    ...(required.length > 0 ? { required } : {}),
  };
}

/** The type a reference carries: a declared trigger input, a pinned action's output (a list under foreach); anything else is unknown. */
function lookupIn(plan: Plan, trigger: Extract<Trigger, { type: 'http' }>, actions: readonly PinnedAction[]) {
  return (reference: Reference): ValueType | undefined => {
    const [first, second, ...deeper] = reference.path;
    if (deeper.length > 0) return ANY;
    if (reference.root === 'trigger' && second === undefined) {
      const declared = trigger.inputs.find((input) => input.name === first);
      return declared ? io(declared.type, declared.values) : ANY;
    }
    if (reference.root === 'steps' && typeof first === 'string' && typeof second === 'string') {
      const step = plan.steps.get(first);
      const pin = step?.action && actions.find((action) => action.actionId === step.action?.id && action.version === step.action.version);
      const output = pin?.outputs.find((spec) => spec.name === second);
      if (!step || !output) return ANY;
      const type = io(output.type as IoType, output.values);
      return step.foreach ? listOf(type) : type;
    }
    return ANY;
  };
}

export function resultsSchema(document: JsonValue, actions: readonly PinnedAction[], trigger: Extract<Trigger, { type: 'http' }>): Schema {
  const plan = planOf(document, actions.map((action) => ({ actionId: action.actionId, version: action.version, inputs: action.inputs })));
  if (!plan.ok) return { type: 'object' };
  const lookup = lookupIn(plan.value, trigger, actions);
  const properties = Object.fromEntries([...plan.value.results].map(([name, template]) => [name, valueSchema(staticTypeOfTemplate(template, lookup).type)]));
  return { type: 'object', properties, required: Object.keys(properties) };
}

export type DescribedTrigger = {
  workflowName: string;
  path: string;
  trigger: Extract<Trigger, { type: 'http' }>;
  document: JsonValue;
  actions: readonly PinnedAction[];
};

const problem = { $ref: '#/components/schemas/Problem' };
const accepted = {
  type: 'object', required: ['run_id', 'status_url', 'result_url'],
  properties: { run_id: { type: 'string', format: 'uuid' }, status_url: { type: 'string' }, result_url: { type: 'string' } },
};
const camel = (name: string) => name.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());

export function userApiDocument(projectName: string, triggers: readonly DescribedTrigger[]): Schema {
  const paths: Record<string, Schema> = {};
  for (const described of triggers) {
    const { trigger } = described;
    const common = {
      summary: `Runs the workflow ${described.workflowName}`,
      description: `Answers 200 with the results when the run ends within ${trigger.timeoutMs} ms, else 202 with the run's URLs. An Idempotency-Key header gives the same run for the same key.`,
      security: trigger.auth === 'none' ? [] : [{ bearer: [] }],
      responses: {
        200: { description: 'The run\'s results', content: { 'application/json': { schema: resultsSchema(described.document, described.actions, trigger) } } },
        202: { description: 'The run goes on: read its result later', content: { 'application/json': { schema: accepted } } },
        default: { description: 'Problem (a failed run: the action\'s status and code, with run_id)', content: { 'application/problem+json': { schema: problem } } },
      },
    };
    const inputs = trigger.inputs.filter((input) => input.type !== 'file' && input.type !== 'directory');
    paths[`/${described.path}`] = {
      post: {
        ...common, operationId: camel(described.workflowName),
        requestBody: { required: false, content: { 'application/json': { schema: inputsSchema(trigger.inputs) } } },
      },
      get: {
        ...common, operationId: `${camel(described.workflowName)}Get`,
        parameters: inputs.map((input) => ({
          name: input.name, in: 'query', required: !input.optional && input.default === undefined, schema: declarationSchema(input),
        })),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: `Trellis user API of ${projectName}`, version: '1' },
    servers: [{ url: `/user-api/${encodeURIComponent(projectName)}` }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT or project API key' } },
      schemas: {
        Problem: {
          type: 'object', required: ['type', 'title', 'status', 'code'],
          properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, code: { type: 'string' }, detail: { type: 'string' }, run_id: { type: 'string' } },
        },
      },
    },
    paths,
  };
}
