#!/usr/bin/env node
// Runs every test suite: unit, integration and end-to-end in parallel, then the disruptive
// suite (it restarts the shared broker) alone, then the reliability suite's short size alone. Ends with one plain line: "N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const runs = [
  { name: 'main', projects: ['unit', 'integration', 'e2e'] },
  { name: 'disruptive', projects: ['disruptive'] },
  // The reliability suite (test/reliability/) at its short size: 100 runs through each fault once,
  // 1,000 fuzzed requests, the stories, the attacks and the secrets scan (about 5 minutes). It
  // restarts the shared PostgreSQL and broker, so it runs last and alone; `npm run reliability`
  // runs the full size.
  { name: 'reliability', projects: ['reliability'], env: { TRELLIS_RELIABILITY_SCALE: 'short' } },
];
const extra = process.argv.slice(2);
mkdirSync('.test-results', { recursive: true });
let exitCode = 0;
const totals = { passed: 0, failed: 0, skipped: 0 };

for (const run of runs) {
  const report = `.test-results/${run.name}.json`;
  rmSync(report, { force: true });
  const args = ['vitest', 'run', ...run.projects.flatMap((p) => ['--project', p]), ...(run.args ?? []), '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra];
  const result = spawnSync('npx', args, { stdio: 'inherit', env: { ...process.env, ...run.env } });
  if (result.status !== 0) exitCode = result.status ?? 1;
  try {
    const summary = JSON.parse(readFileSync(report, 'utf8'));
    totals.passed += summary.numPassedTests;
    // A file that fails before its tests run (a beforeAll) fails no test: count it as one failure.
    const brokenFiles = summary.testResults.filter((file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed'));
    for (const file of brokenFiles) console.error(`failed before its tests ran: ${file.name}`);
    totals.failed += summary.numFailedTests + brokenFiles.length;
    totals.skipped += summary.numPendingTests + summary.numTodoTests;
  } catch {
    exitCode ||= 1;
    console.error(`no report from the ${run.name} run`);
  }
}
if (totals.passed === 0) exitCode ||= 1;
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(exitCode);
