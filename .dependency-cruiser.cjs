// Layer rules for Trellis (DESIGN.md section 2, STYLE.md). Run with `npm run lint:layers`;
// test/layers/layers.test.ts proves every rule below fires on a deliberate violation.
//
// How to read it: paths are relative to the repository root and are *resolved* paths, so an
// import of `@trellis/platform/http/app` is seen as `packages/platform/src/http/app.ts` and a
// workspace package name of a service as `services/<svc>/...`. npm packages appear under
// `node_modules/`, core modules by their bare name (`fs` for `node:fs`), and an import that
// cannot be resolved by its raw specifier. Type-only imports count like any other import
// (tsPreCompilationDeps). Each bad import is meant to be reported by exactly one rule, so the
// whitelist rules leave cross-service imports, test tooling and unresolvable imports to the
// rules that are about them.

/** @typedef {import('dependency-cruiser').IConfiguration} IConfiguration */

/** Files that are tests or test support, wherever they live. */
const TESTS = [
  '\\.test\\.ts$',
  '^(services|packages)/[^/]+/test/',
  '^adm/test/',
  '^(cli|sdk)/test/',
  '^test/',
  '^services/[^/]+/src/application/fakes\\.ts$',
  '^packages/platform/src/testing/',
];

/** Test tooling: what test files may import on top of their layer's allowance. */
const TEST_TOOLING = [
  '(^|/)node_modules/(vitest|@vitest/[^/]+)/',
  '^(vitest|@vitest/[^/]+)(/|$)',
  '^packages/platform/src/testing/',
  '^@trellis/platform/testing/',
];

/** Drivers: talk to the world, so they belong to adapters and composition roots only. */
const DRIVER_NAMES = [
  'kysely',
  'pg',
  'pg-[a-z-]+',
  'amqplib',
  'koa',
  'koa-[a-z-]+',
  '@koa/[^/]+',
  'minio',
  '@grpc/grpc-js',
  'protobufjs',
  'dockerode',
  '@kubernetes/client-node',
  'winston',
  'prom-client',
].join('|');
const DRIVER_TYPE_PACKAGES = ['pg', 'amqplib', 'koa', 'koa__[a-z-]+', 'dockerode', 'minio'].join('|');
const DRIVERS = [
  `(^|/)node_modules/(${DRIVER_NAMES})/`,
  `(^|/)node_modules/@types/(${DRIVER_TYPE_PACKAGES})/`,
  `^(${DRIVER_NAMES})(/|$)`,
];

/** The shared kernel: pure types and functions that domains and applications may use. */
const KERNEL = '^packages/kernel/src/';

/**
 * The workflow language (@trellis/workflow-language): what studio validates and the runner
 * executes, so both import it from their domain and application. Pure, like the kernel, but built
 * on two npm libraries of its own.
 */
const WORKFLOW_LANGUAGE = '^packages/workflow-language/src/';
const WORKFLOW_LANGUAGE_LIBRARIES = '(^|/)node_modules/(jsep|croner)/';

/**
 * Pure data structures a domain may build on: no I/O, no globals, nothing but values. Immutable's
 * persistent maps hold a run's steps (services/runner/src/domain/step-map.ts; docs/decisions.md).
 */
const DOMAIN_DATA_LIBRARIES = '(^|/)node_modules/immutable/';

/** A service referred to by its workspace package name that did not resolve to `services/`. */
const SERVICE_PACKAGE_NAME = '^@trellis/(?!(platform|kernel|workflow-language)(/|$))';

/** @type {IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-imports-only-own-domain',
      severity: 'error',
      comment:
        'src/domain holds the business rules as plain types and pure functions: it may import only ' +
        'files of its own service\'s domain, the shared kernel (@trellis/kernel), the workflow language ' +
        '(@trellis/workflow-language) and pure data structures (immutable). No other npm package (not even types), no node: module, nothing ' +
        'from application, infrastructure, @trellis/platform or another service. Time, ids and I/O come in as arguments.',
      from: { path: '^services/([^/]+)/src/domain/' },
      to: {
        couldNotResolve: false,
        pathNot: ['^services/$1/src/domain/', '^services/(?!$1/)', KERNEL, WORKFLOW_LANGUAGE, DOMAIN_DATA_LIBRARIES, ...TEST_TOOLING],
      },
    },
    {
      name: 'application-imports-only-own-domain-and-application',
      severity: 'error',
      comment:
        'src/application holds use cases and the ports they need: it may import only its own service\'s ' +
        'domain and application, the shared kernel and the workflow language. No npm package (not even types), no node: module, no infrastructure, ' +
        'no @trellis/platform. Declare a port (a type) here and implement it in infrastructure.',
      from: { path: '^services/([^/]+)/src/application/' },
      to: {
        couldNotResolve: false,
        pathNot: ['^services/$1/src/(domain|application)/', '^services/(?!$1/)', KERNEL, WORKFLOW_LANGUAGE, ...TEST_TOOLING],
      },
    },
    {
      name: 'drivers-only-in-infrastructure',
      severity: 'error',
      comment:
        'Drivers (kysely, pg, amqplib, koa, minio, grpc-js, protobufjs, dockerode, kubernetes client, ' +
        'winston, prom-client) are used only by src/infrastructure, the composition roots src/main.ts and ' +
        'src/migrate.ts, @trellis/platform, adm and tests.',
      from: {
        path: '^services/',
        pathNot: [
          '^services/[^/]+/src/(infrastructure|domain|application)/',
          '^services/[^/]+/src/(main|migrate)\\.ts$',
          ...TESTS,
        ],
      },
      to: { path: DRIVERS },
    },
    {
      name: 'no-cross-service',
      severity: 'error',
      comment:
        'A service never imports another service\'s code, by relative path or by package name. ' +
        'Services talk through messages (protos/) and share only @trellis/platform plumbing.',
      from: { path: '^services/([^/]+)/' },
      to: {
        path: ['^services/', SERVICE_PACKAGE_NAME],
        pathNot: ['^services/$1/', '^@trellis/$1(/|$)'],
      },
    },
    {
      name: 'kernel-imports-only-itself',
      severity: 'error',
      comment:
        'packages/kernel is what every domain may use: plain types and pure functions. It imports only ' +
        'its own files: no npm package, no node: module, not @trellis/platform, no service.',
      from: { path: '^packages/kernel/src/', pathNot: TESTS },
      to: { couldNotResolve: false, pathNot: [KERNEL] },
    },
    {
      name: 'workflow-language-imports-only-itself-jsep-croner',
      severity: 'error',
      comment:
        'packages/workflow-language is what studio\'s and the runner\'s domains use to read workflows: pure, ' +
        'like the kernel. It imports only its own files, the kernel and its two libraries, jsep (expressions) ' +
        'and croner (schedules): no other npm package, no node: module, not @trellis/platform, no service.',
      from: { path: WORKFLOW_LANGUAGE, pathNot: TESTS },
      to: { couldNotResolve: false, pathNot: [WORKFLOW_LANGUAGE, KERNEL, WORKFLOW_LANGUAGE_LIBRARIES] },
    },
    {
      name: 'platform-imports-no-service',
      severity: 'error',
      comment: 'packages/ hold plumbing with no business rule: they never import a service (and so no domain type).',
      from: { path: '^packages/' },
      to: { path: ['^services/', SERVICE_PACKAGE_NAME] },
    },
    {
      name: 'cli-talks-only-through-the-sdk',
      severity: 'error',
      comment:
        'The trellis CLI is written on @trellis/sdk only: no Trellis package, service or adm code, and no HTTP ' +
        'client of its own (node:http, node:https, undici), so it does what the API does.',
      from: { path: '^cli/src/', pathNot: TESTS },
      to: { path: ['^(packages|services|adm)/', '^@trellis/(?!sdk(/|$))', '^(http|https|http2)$', '(^|/)node_modules/undici/', '^undici(/|$)'] },
    },
    {
      name: 'sdk-imports-no-trellis-code',
      severity: 'error',
      comment: 'The SDK stands alone on the generated API description: no Trellis package, service, adm or CLI code.',
      from: { path: '^sdk/src/', pathNot: TESTS },
      to: { path: ['^(packages|services|adm|cli)/', '^@trellis/'] },
    },
    {
      name: 'generated-code-only-in-own-infrastructure',
      severity: 'error',
      comment:
        'Generated protobuf code (src/infrastructure/pb/) is imported only by its own service\'s ' +
        'src/infrastructure (and its tests), so a wire type never passes for a domain type. Map it to ' +
        'application types in an infrastructure codec.',
      from: {
        pathNot: [
          '^services/[^/]+/src/infrastructure/',
          '^services/[^/]+/test/',
          // reported by their own, stricter rules:
          '^services/[^/]+/src/(domain|application)/',
          '^packages/',
        ],
      },
      to: { path: '^services/[^/]+/src/infrastructure/pb/' },
    },
    {
      name: 'test-tooling-only-in-tests',
      severity: 'error',
      comment:
        'vitest and @trellis/platform/testing/* are for tests (*.test.ts, test/**, src/application/fakes.ts) only.',
      from: { pathNot: TESTS },
      to: { path: TEST_TOOLING },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'No import cycle inside a service (or inside @trellis/platform), type-only imports included: ' +
        'move the shared part into its own module.',
      from: { path: '^(services|packages)/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'This import does not resolve to a file: a typo, a package missing from package.json, or ' +
        'generated code (src/infrastructure/pb/) that has not been generated yet. Layer rules cannot judge it.',
      from: {},
      to: { couldNotResolve: true, pathNot: SERVICE_PACKAGE_NAME },
    },
  ],
  options: {
    doNotFollow: { path: ['(^|/)node_modules/', '/src/infrastructure/pb/'] },
    // Generated code (pb/) is checked as an import target but its own imports are not followed.
    // Build output is not a source at all. Anchored on purpose: an unanchored `dist/` would also
    // drop node_modules/kysely/dist/... and hide every import of kysely from the rules.
    exclude: { path: '^(packages/[^/]+|services/[^/]+|adm|sdk|cli)/(dist|coverage)/' },
    tsPreCompilationDeps: true,
    detectJSDocImports: false,
    tsConfig: { fileName: 'tsconfig.check.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      // `trellis-source` makes `@trellis/platform/<module>` resolve to src/<module>.ts, as tsc does.
      conditionNames: ['trellis-source', 'import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
