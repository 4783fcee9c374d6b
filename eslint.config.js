// ESLint for the whole monorepo (`npm run lint`). Layer rules (who may import what) live in
// .dependency-cruiser.cjs; this file is about how code reads (STYLE.md) and bugs a type checker
// alone lets through (floating promises, non-exhaustive switches).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;

/**
 * TypeScript files that belong to a tsconfig the type-aware rules can use. Keep in step with the
 * `include` of tsconfig.check.json (plus the web UI's own tsconfigs); a TypeScript file outside
 * these globs is still linted, without the type-aware rules.
 */
const typedFiles = [
  'packages/*/src/**/*.ts',
  'packages/*/test/**/*.ts',
  'services/*/src/**/*.ts',
  'services/*/test/**/*.ts',
  'adm/src/**/*.ts',
  'adm/test/**/*.ts',
  'test/**/*.ts',
  'scripts/**/*.ts',
  'infra/test/**/*.ts',
  '*.ts',
  'sdk/src/**/*.ts',
  'sdk/test/**/*.ts',
  'sdk/examples/**/*.ts',
  'cli/src/**/*.ts',
  'cli/test/**/*.ts',
  'webui/src/**/*.{ts,tsx}',
  'webui/e2e/**/*.ts',
  'webui/vite.config.ts',
  'actions/test/**/*.ts',
];
const typedProjects = ['./tsconfig.check.json', './webui/tsconfig.json', './webui/e2e/tsconfig.json'];

const testFiles = ['**/*.test.ts', '**/test/**', '**/testing/**', 'services/*/src/application/fakes.ts', '**/e2e/**'];

/** Tools that load their config through a default export. */
const toolConfigs = ['eslint.config.js', '**/*.config.{js,mjs,cjs,ts,mts}'];

const namedExportsOnly = [
  { selector: 'ExportDefaultDeclaration', message: 'Named exports only (STYLE.md); only tool config files may export a default.' },
  {
    selector: 'ExportNamedDeclaration > ExportSpecifier[exported.name="default"]',
    message: 'Named exports only (STYLE.md); only tool config files may export a default.',
  },
];

const timeAndIdsAreArguments = [
  {
    selector: 'NewExpression[callee.name="Date"][arguments.length=0]',
    message: 'Time comes in as an argument (a Clock port), so the rules stay testable.',
  },
];

export default defineConfig(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/coverage/**',
      '**/src/infrastructure/pb/**',
      'sdk/src/generated/**',
      '.trellis/**',
      '.test-results/**',
      'webui/dist/**',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    name: 'trellis/all',
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-restricted-syntax': ['error', ...namedExportsOnly],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    name: 'trellis/type-aware',
    files: typedFiles,
    languageOptions: {
      parserOptions: { project: typedProjects, tsconfigRootDir: root },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      // Same allowance as only-throw-error: values typed any/unknown (a driver's callback error) pass.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  {
    name: 'trellis/commonjs',
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    name: 'trellis/browser',
    files: ['webui/src/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    name: 'trellis/tool-configs',
    files: toolConfigs,
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    name: 'trellis/one-logger',
    // Services and the platform log through the winston logger they are given; composition roots
    // may still print why they could not start.
    files: ['services/*/src/**/*.ts', 'packages/*/src/**/*.ts'],
    ignores: [...testFiles, 'services/*/src/main.ts', 'services/*/src/migrate.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    name: 'trellis/cli-through-the-sdk',
    // The CLI does what the API does, through @trellis/sdk (the layer rules forbid node:http).
    files: ['cli/src/**/*.ts'],
    ignores: testFiles,
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: 'The CLI talks to Trellis through @trellis/sdk only.' },
        { name: 'XMLHttpRequest', message: 'The CLI talks to Trellis through @trellis/sdk only.' },
      ],
    },
  },
  {
    name: 'trellis/application',
    files: ['services/*/src/application/**/*.ts'],
    ignores: testFiles,
    rules: {
      'no-restricted-syntax': ['error', ...namedExportsOnly, ...timeAndIdsAreArguments],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Time comes in through a Clock port.' },
        { object: 'Math', property: 'random', message: 'Ids and randomness come in through a port.' },
        { object: 'crypto', property: 'randomUUID', message: 'Ids come in through an Ids port.' },
      ],
    },
  },
  {
    name: 'trellis/domain',
    files: ['services/*/src/domain/**/*.ts'],
    ignores: testFiles,
    rules: {
      'no-restricted-syntax': ['error', ...namedExportsOnly, ...timeAndIdsAreArguments],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Time comes in as an argument.' },
        { object: 'Math', property: 'random', message: 'Ids and randomness come in as arguments.' },
        { object: 'crypto', property: 'randomUUID', message: 'Ids come in as arguments.' },
      ],
      // The domain does no I/O and never logs (DESIGN.md section 2).
      'no-restricted-globals': [
        'error',
        ...['fetch', 'process', 'console', 'setTimeout', 'setInterval', 'setImmediate', 'Buffer', 'require'].map((name) => ({
          name,
          message: 'The domain is pure: no I/O, timers, process state or logging. Take what you need as an argument.',
        })),
      ],
    },
  },
);
