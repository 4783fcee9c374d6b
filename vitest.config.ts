import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources in tests (no build needed).
const conditions = ['trellis-source', ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'adm/src/**/*.test.ts', 'sdk/src/**/*.test.ts', 'webui/src/**/*.test.ts', 'cli/src/**/*.test.ts', 'scripts/**/*.test.ts', 'test/layers/**/*.test.ts', 'infra/test/**/*.test.ts', 'test/reliability/*/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['packages/*/test/**/*.int.test.ts', 'services/*/test/**/*.int.test.ts', 'adm/test/**/*.int.test.ts', 'actions/test/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['services/*/test/e2e/**/*.test.ts', 'test/e2e/**/*.test.ts', 'webui/e2e/**/*.test.ts', 'cli/test/**/*.e2e.test.ts', 'sdk/test/**/*.e2e.test.ts'],
        },
      },
      {
        // Restarts the shared broker: runs alone, after everything else (see `npm run check`).
        extends: true,
        test: { name: 'disruptive', include: ['**/test/**/*.disruptive.test.ts'], exclude: ['**/node_modules/**'], fileParallelism: false },
      },
      {
        // Issue 18's suite (test/reliability/): faults, stories, fuzzing, attacks. Restarts the shared
        // PostgreSQL and broker and loads the machine: alone, one file at a time, last. Its size:
        // TRELLIS_RELIABILITY_SCALE=short (default) or full (npm run reliability).
        extends: true,
        test: { name: 'reliability', include: ['test/reliability/**/*.reliability.test.ts'], fileParallelism: false, testTimeout: 30 * 60_000, hookTimeout: 10 * 60_000 },
      },
    ],
  },
});
