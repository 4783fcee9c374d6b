#!/usr/bin/env node
// Writes docs/workflow.schema.json, the workflow document's JSON Schema (for editors), from
// workflowJsonSchema() in packages/workflow-language/src/json-schema.ts: the shape the reader
// checks, so the two cannot drift (packages/workflow-language/src/json-schema.test.ts fails when
// the committed file is not what the code gives).
//
//   node scripts/workflow-schema.mjs          (npm run schema:workflow) rewrite the file
//   node scripts/workflow-schema.mjs --check  exit 1 when the file is out of date
//
// The TypeScript source is loaded through vite's module runner, as vitest loads it: no build needed.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultServerConditions, runnerImport } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.join(root, 'packages', 'workflow-language', 'src', 'json-schema.ts');
const target = path.join(root, 'docs', 'workflow.schema.json');
const conditions = ['trellis-source', ...defaultServerConditions];

const { module } = await runnerImport(source, {
  configFile: false,
  logLevel: 'error',
  root,
  resolve: { conditions },
  ssr: { resolve: { conditions } },
});
const text = `${JSON.stringify(module.workflowJsonSchema(), null, 2)}\n`;

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing: out of date
  }
  if (current !== text) {
    console.error('docs/workflow.schema.json is out of date: run npm run schema:workflow');
    process.exit(1);
  }
  console.log('docs/workflow.schema.json is up to date');
} else {
  writeFileSync(target, text);
  console.log('wrote docs/workflow.schema.json');
}
