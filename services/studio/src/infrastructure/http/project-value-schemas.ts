import { z } from 'zod';
import { MAX_VALUE_BYTES, type JsonValue, type Secret, type Variable } from '../../domain/project-values.js';

/* The shapes of the variables' and secrets' requests and answers (also their OpenAPI schemas). Never a secret's value. */

const time = z.iso.datetime({ offset: true });

/** Any string: the rules of names are the domain's, with their reason (`invalid_name`). */
export const valueParams = z.object({
  name: z.string().describe('A letter or "_", then letters, digits or "_"; 64 characters at most (referenced as ${{ vars.NAME }} / ${{ secrets.NAME }})'),
});

export const valueListQuery = {
  search: z.string().max(200).optional().describe('Only names that contain this text (any case)'),
};

export const setVariableBody = z.strictObject({
  value: z.custom<JsonValue>((value) => value !== undefined, 'required: any JSON value but null')
    .describe(`Any JSON value but null: a string, number, boolean, list or object; at most ${MAX_VALUE_BYTES} bytes as JSON text`),
});

export const setSecretBody = z.strictObject({
  value: z.string().describe(`The secret, at most ${MAX_VALUE_BYTES} bytes (UTF-8), not empty: stored sealed, never shown again`),
});

export const variableSchema = z.object({
  name: z.string(),
  value: z.custom<JsonValue>(() => true).describe('The value, as it was set'),
  updated_at: time,
  updated_by: z.string().describe('The user id (or API key id) that set it last'),
});

export const secretSchema = z.object({
  name: z.string(),
  updated_at: time,
  updated_by: z.string().describe('The user id (or API key id) that set it last'),
}).describe('A secret\'s name and when it changed: its value is never answered');

export function variableView(variable: Variable): z.output<typeof variableSchema> {
  return { name: variable.name, value: variable.value, updated_at: variable.updatedAt.toISOString(), updated_by: variable.updatedBy };
}

export function secretView(secret: Secret): z.output<typeof secretSchema> {
  return { name: secret.name, updated_at: secret.updatedAt.toISOString(), updated_by: secret.updatedBy };
}
