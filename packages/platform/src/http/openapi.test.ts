import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PUBLIC } from '../auth/access.js';
import { buildOpenApi } from './openapi.js';
import { defineRoute } from './route.js';

type Value = string | number | Value[] | { [key: string]: Value };
const value: z.ZodType<Value> = z.lazy(() => z.union([z.string(), z.number(), z.array(value), z.record(z.string(), value)]));
const document = z.object({ name: z.string(), inputs: z.record(z.string(), value) });

const route = (path: string, operationId: string) => defineRoute({
  method: 'post', path, operationId, summary: operationId, access: PUBLIC, body: document,
  responses: { 200: { description: 'The document', schema: document } },
  handler: async () => ({ status: 200, body: {} }),
});

describe('the OpenAPI document of a route list', () => {
  const built = buildOpenApi({ title: 't', version: '1', basePath: '/x', routes: [route('/a', 'xCreate'), route('/b', 'xReplace')] });
  const text = JSON.stringify(built);

  it('moves a recursive schema\'s local definitions to components, so every $ref resolves from the document\'s root', () => {
    expect(text).not.toContain('#/$defs/');
    const refs = [...text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((match) => match[1] as string);
    expect(refs.length).toBeGreaterThan(0);
    for (const name of refs) expect(built.components?.schemas).toHaveProperty(name);
  });

  it('keeps one copy of the same definitions however many operations use them', () => {
    const names = Object.keys(built.components?.schemas ?? {}).filter((name) => name !== 'Problem');
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((name) => name.startsWith('XCreate_'))).toBe(true);
  });
});
