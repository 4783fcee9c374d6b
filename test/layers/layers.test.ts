// Proof that the layer rules in .dependency-cruiser.cjs bite. Every case is a small file in a
// throw-away tree laid out like the repository (services/<svc>/src/<layer>/..., packages/platform,
// a node_modules with real npm packages and the workspace links), checked by dependency-cruiser
// with the real repository config, exactly as `npm run lint:layers` does. A case names the rules
// that must fire for its file; an allowed case names none.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const config = join(repo, '.dependency-cruiser.cjs');
const depcruise = join(repo, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

type Case = {
  name: string;
  /** The file under test, relative to the fixture root. */
  file: string;
  source: string;
  /** Other files the case needs (they must not break a rule themselves). */
  extra?: Record<string, string>;
  /** Rules that must fire for `file`, in any order; [] means the imports are allowed. */
  rules: string[];
};

const DOMAIN = 'domain-imports-only-own-domain';
const APPLICATION = 'application-imports-only-own-domain-and-application';
const DRIVERS = 'drivers-only-in-infrastructure';
const CROSS_SERVICE = 'no-cross-service';
const PLATFORM = 'platform-imports-no-service';
const KERNEL = 'kernel-imports-only-itself';
const WORKFLOW_LANGUAGE = 'workflow-language-imports-only-itself-jsep-croner';
const GENERATED = 'generated-code-only-in-own-infrastructure';
const TEST_TOOLING = 'test-tooling-only-in-tests';
const CIRCULAR = 'no-circular';
const UNRESOLVABLE = 'not-to-unresolvable';
const CLI = 'cli-talks-only-through-the-sdk';
const SDK = 'sdk-imports-no-trellis-code';

const studio = 'services/studio/src';

const cases: Case[] = [
  // domain
  { name: 'domain -> pg', file: `${studio}/domain/d-pg.ts`, source: `import pg from 'pg';\nexport const p = pg;`, rules: [DOMAIN] },
  { name: 'domain -> node:fs', file: `${studio}/domain/d-fs.ts`, source: `import { readFileSync } from 'node:fs';\nexport const r = readFileSync;`, rules: [DOMAIN] },
  { name: 'domain -> its own application', file: `${studio}/domain/d-app.ts`, source: `import type { Clock } from '../application/ports.js';\nexport type C = Clock;`, rules: [DOMAIN] },
  { name: 'domain type-only import from kysely', file: `${studio}/domain/d-kysely-type.ts`, source: `import type { Kysely } from 'kysely';\nexport type K = Kysely<object>;`, rules: [DOMAIN] },
  { name: 'domain -> zod (no npm at all)', file: `${studio}/domain/d-zod.ts`, source: `import { z } from 'zod';\nexport const s = z.string();`, rules: [DOMAIN] },
  { name: 'domain dynamic import of pg', file: `${studio}/domain/d-dynamic.ts`, source: `export const load = () => import('pg');`, rules: [DOMAIN] },
  { name: 'domain re-exports its infrastructure', file: `${studio}/domain/d-reexport.ts`, source: `export * from '../infrastructure/postgres/db.js';`, rules: [DOMAIN] },
  { name: 'domain -> @trellis/platform', file: `${studio}/domain/d-platform.ts`, source: `import { makeApp } from '@trellis/platform/http/app';\nexport const m = makeApp;`, rules: [DOMAIN] },
  { name: 'domain -> its own generated code', file: `${studio}/domain/d-pb.ts`, source: `import * as pb from '../infrastructure/pb/studio.js';\nexport const x = pb;`, rules: [DOMAIN] },
  { name: 'domain -> own domain (allowed)', file: `${studio}/domain/d-ok.ts`, source: `import * as Workflow from './workflow.js';\nexport const add = Workflow.addStep;`, rules: [] },
  { name: 'domain -> another service\'s domain', file: `${studio}/domain/d-runner.ts`, source: `import type { Run } from '../../../runner/src/domain/run.js';\nexport type R = Run;`, rules: [CROSS_SERVICE] },
  { name: 'domain test -> vitest and own domain (allowed)', file: `${studio}/domain/workflow.test.ts`, source: `import { expect, it } from 'vitest';\nimport * as Workflow from './workflow.js';\nit('adds', () => expect(Workflow.addStep).toBeDefined());`, rules: [] },
  { name: 'domain test -> node:fs', file: `${studio}/domain/d-fs.test.ts`, source: `import { it } from 'vitest';\nimport { readFileSync } from 'node:fs';\nit('reads', () => readFileSync);`, rules: [DOMAIN] },
  { name: 'domain (not a test) -> vitest', file: `${studio}/domain/d-vitest.ts`, source: `import { vi } from 'vitest';\nexport const v = vi;`, rules: [TEST_TOOLING] },
  { name: 'domain import cycle', file: `${studio}/domain/cycle-a.ts`, source: `import type { B } from './cycle-b.js';\nexport type A = { b?: B };`, extra: { [`${studio}/domain/cycle-b.ts`]: `import type { A } from './cycle-a.js';\nexport type B = { a?: A };` }, rules: [CIRCULAR] },

  // application
  { name: 'application -> amqplib', file: `${studio}/application/a-amqp.ts`, source: `import amqp from 'amqplib';\nexport const a = amqp;`, rules: [APPLICATION] },
  { name: 'application type-only import from kysely', file: `${studio}/application/a-kysely-type.ts`, source: `import type { Transaction } from 'kysely';\nexport type T = Transaction<object>;`, rules: [APPLICATION] },
  { name: 'application -> its infrastructure', file: `${studio}/application/a-infra.ts`, source: `import { db } from '../infrastructure/postgres/db.js';\nexport const d = db;`, rules: [APPLICATION] },
  { name: 'application -> node:crypto', file: `${studio}/application/a-crypto.ts`, source: `import { randomUUID } from 'node:crypto';\nexport const id = randomUUID;`, rules: [APPLICATION] },
  { name: 'application -> zod (no npm at all)', file: `${studio}/application/a-zod.ts`, source: `import type { z } from 'zod';\nexport type S = z.ZodString;`, rules: [APPLICATION] },
  { name: 'application -> @trellis/platform', file: `${studio}/application/a-platform.ts`, source: `import type { makeApp } from '@trellis/platform/http/app';\nexport type M = typeof makeApp;`, rules: [APPLICATION] },
  { name: 'application -> own domain and application (allowed)', file: `${studio}/application/deploy-workflow.ts`, source: `import * as Workflow from '../domain/workflow.js';\nimport type { Clock } from './ports.js';\nexport const deployWorkflow = (clock: Clock) => [Workflow.addStep, clock];`, rules: [] },
  { name: 'application fakes -> platform testing and own ports (allowed)', file: `${studio}/application/fakes.ts`, source: `import { freshDatabase } from '@trellis/platform/testing/db';\nimport type { Clock } from './ports.js';\nexport const fakeClock: Clock = () => new Date(0);\nexport const f = freshDatabase;`, rules: [] },
  { name: 'application test -> kysely', file: `${studio}/application/a-kysely.test.ts`, source: `import { it } from 'vitest';\nimport { sql } from 'kysely';\nit('q', () => sql);`, rules: [APPLICATION] },

  // infrastructure, composition roots, other files of a service
  { name: 'infrastructure -> kysely, pg, koa, own application (allowed)', file: `${studio}/infrastructure/postgres/workflow-repository.ts`, source: `import { Kysely } from 'kysely';\nimport pg from 'pg';\nimport Koa from 'koa';\nimport type { Clock } from '../../application/ports.js';\nexport const k = [Kysely, pg, Koa];\nexport type C = Clock;`, rules: [] },
  { name: 'infrastructure -> own generated code (allowed)', file: `${studio}/infrastructure/rabbitmq/codecs.ts`, source: `import * as pb from '../pb/studio.js';\nexport const codec = pb;`, rules: [] },
  { name: 'studio infrastructure -> runner code by relative path', file: `${studio}/infrastructure/x-runner-relative.ts`, source: `import type { Run } from '../../../runner/src/domain/run.js';\nexport type R = Run;`, rules: [CROSS_SERVICE] },
  { name: 'studio infrastructure -> runner code by package name (subpath)', file: `${studio}/infrastructure/x-runner-package.ts`, source: `import type { Run } from '@trellis/runner/src/domain/run.js';\nexport type R = Run;`, rules: [CROSS_SERVICE] },
  { name: 'studio infrastructure -> @trellis/runner (bare package name)', file: `${studio}/infrastructure/x-runner-bare.ts`, source: `import * as runner from '@trellis/runner';\nexport const r = runner;`, rules: [CROSS_SERVICE] },
  { name: 'studio infrastructure -> runner\'s generated code', file: `${studio}/infrastructure/x-runner-pb.ts`, source: `import * as pb from '../../../runner/src/infrastructure/pb/runner.js';\nexport const p = pb;`, rules: [CROSS_SERVICE] },
  { name: 'infrastructure -> an import that does not resolve', file: `${studio}/infrastructure/x-missing.ts`, source: `import { nothing } from './does-not-exist.js';\nexport const n = nothing;`, rules: [UNRESOLVABLE] },
  { name: 'main.ts -> koa, kysely, platform, own layers (allowed)', file: `${studio}/main.ts`, source: `import Koa from 'koa';\nimport { Kysely } from 'kysely';\nimport { makeApp } from '@trellis/platform/http/app';\nimport { db } from './infrastructure/postgres/db.js';\nimport type { Clock } from './application/ports.js';\nexport const m = [Koa, Kysely, makeApp, db];\nexport type C = Clock;`, rules: [] },
  { name: 'migrate.ts -> kysely (allowed)', file: 'services/runner/src/migrate.ts', source: `import { Migrator } from 'kysely';\nexport const m = Migrator;`, rules: [] },
  { name: 'main.ts -> own generated code', file: 'services/runner/src/main.ts', source: `import * as pb from './infrastructure/pb/runner.js';\nexport const p = pb;`, rules: [GENERATED] },
  { name: 'a service file outside the layers -> pg', file: `${studio}/helpers.ts`, source: `import type { Pool } from 'pg';\nexport type P = Pool;`, rules: [DRIVERS] },
  { name: 'a service file outside the layers -> winston', file: `${studio}/log.ts`, source: `import winston from 'winston';\nexport const w = winston;`, rules: [DRIVERS] },
  { name: 'infrastructure (not a test) -> platform testing', file: `${studio}/infrastructure/x-testing.ts`, source: `import { freshDatabase } from '@trellis/platform/testing/db';\nexport const f = freshDatabase;`, rules: [TEST_TOOLING] },
  { name: 'service integration test -> pg, own infrastructure and generated code (allowed)', file: 'services/studio/test/outbox.int.test.ts', source: `import { it } from 'vitest';\nimport pg from 'pg';\nimport { db } from '../src/infrastructure/postgres/db.js';\nimport * as pb from '../src/infrastructure/pb/studio.js';\nimport { freshDatabase } from '@trellis/platform/testing/db';\nit('works', () => [pg, db, pb, freshDatabase]);`, rules: [] },
  { name: 'service integration test -> another service', file: 'services/studio/test/cross.int.test.ts', source: `import { it } from 'vitest';\nimport type { Run } from '@trellis/runner/src/domain/run.js';\nit('works', () => undefined as Run | undefined);`, rules: [CROSS_SERVICE] },

  // shared package and adm
  { name: 'platform -> a service by relative path', file: 'packages/platform/src/p-relative.ts', source: `import type { Workflow } from '../../../services/studio/src/domain/workflow.js';\nexport type W = Workflow;`, rules: [PLATFORM] },
  { name: 'platform -> a service by package name', file: 'packages/platform/src/p-package.ts', source: `import type { Workflow } from '@trellis/studio/src/domain/workflow.js';\nexport type W = Workflow;`, rules: [PLATFORM] },
  { name: 'platform -> drivers (allowed)', file: 'packages/platform/src/postgres/db.ts', source: `import { Kysely } from 'kysely';\nimport pg from 'pg';\nimport amqp from 'amqplib';\nexport const d = [Kysely, pg, amqp];`, rules: [] },
  { name: 'domain and application -> the shared kernel (allowed)', file: `${studio}/application/a-kernel.ts`, source: `import { ok } from '@trellis/kernel/result';\nimport type { Role } from '../../../../packages/kernel/src/roles.js';\nexport const o = ok;\nexport type R = Role;`, rules: [] },
  { name: 'domain -> the shared kernel (allowed)', file: `${studio}/domain/d-kernel.ts`, source: `import { rejected } from '@trellis/kernel/result';\nexport const r = rejected;`, rules: [] },
  { name: 'kernel -> zod', file: 'packages/kernel/src/k-zod.ts', source: `import { z } from 'zod';\nexport const s = z.string();`, rules: [KERNEL] },
  { name: 'kernel -> node:crypto', file: 'packages/kernel/src/k-crypto.ts', source: `import { randomUUID } from 'node:crypto';\nexport const r = randomUUID;`, rules: [KERNEL] },
  { name: 'kernel -> platform', file: 'packages/kernel/src/k-platform.ts', source: `import { makeApp } from '@trellis/platform/http/app';\nexport const m = makeApp;`, rules: [KERNEL] },
  { name: 'kernel -> a service', file: 'packages/kernel/src/k-service.ts', source: `import type { Workflow } from '../../../services/studio/src/domain/workflow.js';\nexport type W = Workflow;`, rules: [KERNEL, PLATFORM] },
  { name: 'domain and application -> the workflow language (allowed)', file: `${studio}/application/a-language.ts`, source: `import { parseExpression } from '@trellis/workflow-language/expression';\nimport type { parseExpression as Parse } from '../../../../packages/workflow-language/src/expression.js';\nexport const p = parseExpression;\nexport type T = typeof Parse;`, rules: [] },
  { name: 'domain -> the workflow language (allowed)', file: `${studio}/domain/d-language.ts`, source: `import { parseExpression } from '@trellis/workflow-language/expression';\nexport const p = parseExpression;`, rules: [] },
  { name: 'domain -> jsep (the language\'s library, not the domain\'s)', file: `${studio}/domain/d-jsep.ts`, source: `import jsep from 'jsep';\nexport const j = jsep;`, rules: [DOMAIN] },
  { name: 'workflow language -> itself, the kernel, jsep and croner (allowed)', file: 'packages/workflow-language/src/schedule.ts', source: `import { Cron } from 'croner';\nimport jsep from 'jsep';\nimport { ok } from '@trellis/kernel/result';\nimport type { Role } from '../../kernel/src/roles.js';\nimport { parseExpression } from './expression.js';\nexport const c = [Cron, jsep, ok, parseExpression];\nexport type R = Role;`, rules: [] },
  { name: 'workflow language -> zod', file: 'packages/workflow-language/src/w-zod.ts', source: `import { z } from 'zod';\nexport const s = z.string();`, rules: [WORKFLOW_LANGUAGE] },
  { name: 'workflow language -> node:fs', file: 'packages/workflow-language/src/w-fs.ts', source: `import { readFileSync } from 'node:fs';\nexport const r = readFileSync;`, rules: [WORKFLOW_LANGUAGE] },
  { name: 'workflow language -> platform', file: 'packages/workflow-language/src/w-platform.ts', source: `import { makeApp } from '@trellis/platform/http/app';\nexport const m = makeApp;`, rules: [WORKFLOW_LANGUAGE] },
  { name: 'workflow language -> a service', file: 'packages/workflow-language/src/w-service.ts', source: `import type { Workflow } from '../../../services/studio/src/domain/workflow.js';\nexport type W = Workflow;`, rules: [WORKFLOW_LANGUAGE, PLATFORM] },
  { name: 'workflow language test -> vitest (allowed)', file: 'packages/workflow-language/src/expression.test.ts', source: `import { it } from 'vitest';\nimport { parseExpression } from './expression.js';\nit('parses', () => parseExpression);`, rules: [] },
  { name: 'cli -> the sdk and its own files (allowed)', file: 'cli/src/c-sdk.ts', source: `import { createClient } from '@trellis/sdk';\nimport { note } from './output.js';\nexport const c = [createClient, note];`, rules: [] },
  { name: 'cli -> platform', file: 'cli/src/c-platform.ts', source: `import { makeApp } from '@trellis/platform/http/app';\nexport const m = makeApp;`, rules: [CLI] },
  { name: 'cli -> a service by relative path', file: 'cli/src/c-service.ts', source: `import type { Workflow } from '../../services/studio/src/domain/workflow.js';\nexport type W = Workflow;`, rules: [CLI] },
  { name: 'cli -> node:http', file: 'cli/src/c-http.ts', source: `import { request } from 'node:http';\nexport const r = request;`, rules: [CLI] },
  { name: 'sdk -> platform', file: 'sdk/src/s-platform.ts', source: `import { makeApp } from '@trellis/platform/http/app';\nexport const m = makeApp;`, rules: [SDK] },
  { name: 'sdk -> the cli', file: 'sdk/src/s-cli.ts', source: `import { note } from '../../cli/src/output.js';\nexport const n = note;`, rules: [SDK] },
  { name: 'adm -> a service\'s generated code', file: 'adm/src/backup.ts', source: `import * as pb from '../../services/studio/src/infrastructure/pb/studio.js';\nexport const p = pb;`, rules: [GENERATED] },
];

/** Files the cases import; none of them imports anything that a rule forbids. */
const base: Record<string, string> = {
  'tsconfig.check.json': JSON.stringify({
    compilerOptions: {
      target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', customConditions: ['trellis-source'],
      strict: true, verbatimModuleSyntax: true, skipLibCheck: true, noEmit: true,
    },
    include: ['packages/*/src', 'services/*/src', 'services/*/test', 'adm/src', 'sdk/src', 'cli/src'],
  }),
  [`${studio}/domain/workflow.ts`]: `export type Workflow = { readonly id: string };\nexport const addStep = (workflow: Workflow): Workflow => workflow;`,
  [`${studio}/application/ports.ts`]: `export type Clock = () => Date;`,
  [`${studio}/infrastructure/postgres/db.ts`]: `export const db = {};`,
  // stand-ins for generated code; their own imports are not followed
  [`${studio}/infrastructure/pb/studio.ts`]: `import _m0 from 'protobufjs/minimal.js';\nexport const StudioEvent = _m0;`,
  'services/runner/src/domain/run.ts': `export type Run = { readonly id: string };`,
  'services/runner/src/infrastructure/pb/runner.ts': `import _m0 from 'protobufjs/minimal.js';\nexport const RunnerEvent = _m0;`,
  'packages/platform/src/http/app.ts': `export const makeApp = () => undefined;`,
  'packages/kernel/src/result.ts': `export const ok = <T>(value: T) => ({ ok: true, value });\nexport const rejected = <E>(error: E) => ({ ok: false, error });`,
  'packages/kernel/src/roles.ts': `export type Role = 'viewer' | 'owner';`,
  'packages/workflow-language/src/expression.ts': `import jsep from 'jsep';\nexport const parseExpression = (source: string) => jsep(source);`,
  'sdk/src/index.ts': `export const createClient = () => undefined;`,
  'cli/src/output.ts': `export const note = (text: string) => text;`,
  'packages/platform/src/testing/db.ts': `import { beforeAll } from 'vitest';\nimport pg from 'pg';\nexport const freshDatabase = () => [beforeAll, pg];`,
};

const services = ['authorization', 'studio', 'repository', 'action-builder', 'runner'];
const npmPackages = ['pg', '@types/pg', 'kysely', 'amqplib', 'koa', 'winston', 'zod', 'vitest', 'protobufjs', 'jsep', 'croner'];

async function put(root: string, file: string, text: string): Promise<void> {
  await mkdir(dirname(join(root, file)), { recursive: true });
  await writeFile(join(root, file), text);
}

/** A tree laid out like the repository, with workspace links and real npm packages. */
async function makeTree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'trellis-layers-'));
  const platformManifest = JSON.parse(await readFile(join(repo, 'packages/platform/package.json'), 'utf8')) as { exports: unknown };
  await put(root, 'packages/platform/package.json', JSON.stringify({ name: '@trellis/platform', type: 'module', exports: platformManifest.exports }));
  await mkdir(join(root, 'node_modules/@trellis'), { recursive: true });
  await symlink('../../packages/platform', join(root, 'node_modules/@trellis/platform'));
  const kernelManifest = JSON.parse(await readFile(join(repo, 'packages/kernel/package.json'), 'utf8')) as { exports: unknown };
  await put(root, 'packages/kernel/package.json', JSON.stringify({ name: '@trellis/kernel', type: 'module', exports: kernelManifest.exports }));
  await symlink('../../packages/kernel', join(root, 'node_modules/@trellis/kernel'));
  const languageManifest = JSON.parse(await readFile(join(repo, 'packages/workflow-language/package.json'), 'utf8')) as { exports: unknown };
  await put(root, 'packages/workflow-language/package.json', JSON.stringify({ name: '@trellis/workflow-language', type: 'module', exports: languageManifest.exports }));
  await symlink('../../packages/workflow-language', join(root, 'node_modules/@trellis/workflow-language'));
  for (const service of services) {
    await put(root, `services/${service}/package.json`, JSON.stringify({ name: `@trellis/${service}`, type: 'module' }));
    await mkdir(join(root, `services/${service}/src`), { recursive: true });
    await symlink(`../../services/${service}`, join(root, `node_modules/@trellis/${service}`));
  }
  for (const name of npmPackages) {
    await mkdir(dirname(join(root, 'node_modules', name)), { recursive: true });
    await symlink(join(repo, 'node_modules', name), join(root, 'node_modules', name));
  }
  await put(root, 'sdk/package.json', JSON.stringify({ name: '@trellis/sdk', type: 'module', exports: { '.': { 'trellis-source': './src/index.ts', default: './dist/index.js' } } }));
  await symlink('../../sdk', join(root, 'node_modules/@trellis/sdk'));
  await mkdir(join(root, 'adm/src'), { recursive: true });
  for (const [file, text] of Object.entries(files)) await put(root, file, text);
  return root;
}

type Run = { code: number; stdout: string; stderr: string };

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((done) => {
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

type CruiseResult = {
  modules: { source: string; dependencies: { module: string; resolved: string; couldNotResolve: boolean }[] }[];
  summary: { violations: { from: string; to: string; rule: { name: string; severity: string } }[]; error: number };
};

async function cruise(root: string): Promise<CruiseResult> {
  const result = await run(process.execPath, [depcruise, '--config', config, '--output-type', 'json', 'packages', 'services', 'adm', 'sdk', 'cli'], root);
  if (!result.stdout.startsWith('{')) throw new Error(`dependency-cruiser did not answer JSON (exit ${result.code}):\n${result.stderr}`);
  return JSON.parse(result.stdout) as CruiseResult;
}

describe('layer rules (.dependency-cruiser.cjs)', () => {
  let root: string;
  let result: CruiseResult;

  beforeAll(async () => {
    expect(new Set(cases.map((c) => c.file)).size, 'each case needs a file of its own').toBe(cases.length);
    const files = cases.flatMap((c) => [[c.file, c.source] as const, ...Object.entries(c.extra ?? {})]);
    root = await makeTree({ ...base, ...Object.fromEntries(files) });
    result = await cruise(root);
  }, 120_000);

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it.each(cases)('$name', ({ file, rules }) => {
    const module = result.modules.find((m) => m.source === file);
    expect(module, `${file} was not cruised`).toBeDefined();
    expect(module?.dependencies.length, `${file} has no dependencies: the case proves nothing`).toBeGreaterThan(0);
    const fired = result.summary.violations.filter((v) => v.from === file);
    expect(fired.map((v) => v.rule.name).sort()).toEqual([...rules].sort());
    for (const violation of fired) expect(violation.rule.severity).toBe('error');
  });

  it('reports nothing for files that no case is about', () => {
    const caseFiles = new Set(cases.flatMap((c) => [c.file, ...(c.rules.includes(CIRCULAR) ? Object.keys(c.extra ?? {}) : [])]));
    const stray = result.summary.violations.filter((v) => !caseFiles.has(v.from));
    expect(stray).toEqual([]);
  });
});

/** The root package.json's own `lint:layers` command line, run in a given tree. */
async function lintLayers(cwd: string): Promise<Run> {
  const manifest = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const script = manifest.scripts['lint:layers'];
  if (!script) throw new Error('package.json has no "lint:layers" script');
  const env = { ...process.env, PATH: `${join(repo, 'node_modules/.bin')}:${process.env.PATH ?? ''}` };
  return run('/bin/sh', ['-c', script], cwd, env);
}

describe('npm run lint:layers', () => {
  const roots: string[] = [];
  afterAll(async () => {
    for (const root of roots) await rm(root, { recursive: true, force: true });
  });

  async function treeWithConfig(files: Record<string, string>): Promise<string> {
    const root = await makeTree({ ...base, ...files });
    roots.push(root);
    await symlink(config, join(root, '.dependency-cruiser.cjs'));
    return root;
  }

  it('fails with a readable list when a domain file imports a driver', async () => {
    const root = await treeWithConfig({ [`${studio}/domain/bad.ts`]: `import type { Pool } from 'pg';\nexport type P = Pool;` });
    const result = await lintLayers(root);
    expect(result.code).not.toBe(0);
    const output = result.stdout + result.stderr;
    expect(output).toContain(DOMAIN);
    expect(output).toContain(`${studio}/domain/bad.ts`);
  }, 60_000);

  it('passes on a tree that keeps the rules', async () => {
    const root = await treeWithConfig({});
    const result = await lintLayers(root);
    expect(result.stdout + result.stderr).not.toContain('error');
    expect(result.code).toBe(0);
  }, 60_000);

  it('passes on the real repository', async () => {
    const result = await lintLayers(repo);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  }, 120_000);
});
