#!/usr/bin/env node
// The SDK's types, generated from docs/openapi.json by openapi-typescript (never edited by
// hand, not committed: the build makes them). Skipped when the document and the generator are
// the ones the last generation used; `--force` generates anyway.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';

const sdk = fileURLToPath(new URL('..', import.meta.url));
const documentPath = fileURLToPath(new URL('../../docs/openapi.json', import.meta.url));
const outputDir = `${sdk}src/generated/`;
const outputPath = `${outputDir}openapi.ts`;
const generatorVersion = createRequire(import.meta.url)('openapi-typescript/package.json').version;

const document = readFileSync(documentPath, 'utf8');
const fingerprint = createHash('sha256').update(generatorVersion).update(document).digest('hex');
const header = `// Generated from docs/openapi.json by openapi-typescript ${generatorVersion} (sdk/scripts/generate.mjs): do not edit.\n// fingerprint ${fingerprint}\n`;

let previous = '';
try { previous = readFileSync(outputPath, 'utf8'); } catch { /* first generation */ }
if (!process.argv.includes('--force') && previous.startsWith(header)) process.exit(0);

// A JSON value defined by itself (a workflow's values: scalars, lists of values, maps of values)
// cannot be a property of the generated \`components\` interface (TS2502): it becomes the
// recursive alias JsonValue, declared once at the top.
const JSON_VALUE = 'export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };\n';
const refersToItself = (schema, path) => {
  const self = `#/components/schemas/${String(path ?? '').split('/').pop()}`;
  const parts = schema.anyOf ?? [];
  return parts.some((part) => part.type === 'array' && part.items?.$ref === self) && parts.some((part) => part.type === 'object' && part.additionalProperties?.$ref === self);
};
const ast = await openapiTS(JSON.parse(document), {
  exportType: true, alphabetize: false, rootTypes: false, inject: JSON_VALUE,
  transform: (schema, options) => (refersToItself(schema, options.path) ? ts.factory.createTypeReferenceNode('JsonValue') : undefined),
});
mkdirSync(outputDir, { recursive: true });
writeFileSync(outputPath, `${header}/* eslint-disable */\n${astToString(ast)}`);
console.log('trellis: SDK types generated from docs/openapi.json');
