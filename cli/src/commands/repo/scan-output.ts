import { colorStatus, colors, printLine, printTable } from '../../output.js';
import type { ScanDetail, ScanProblem } from './api-types.js';

/** A problem as editors and compilers print one: `file:line:col code message`. */
export function formatProblem(problem: ScanProblem): string {
  return `${problem.file}:${problem.line}:${problem.column} ${problem.code} ${problem.message}`;
}

function scanHeadline(scan: ScanDetail): string {
  const commit = scan.commit ? ` of ${scan.branch ?? '?'} at ${scan.commit.slice(0, 12)}` : '';
  const failure = scan.error ? `: ${scan.error.message} (${scan.error.code})` : '';
  return `Scan ${colorStatus(scan.status)}${commit}${failure}`;
}

/** A scan for a person: how it went, the actions it found (with their builds) and every problem. */
export function printScan(scan: ScanDetail): void {
  printLine(scanHeadline(scan));
  if (scan.status !== 'done') return;
  printLine();
  printLine(colors.bold(`Actions (${scan.actions.length})`));
  printTable(['id', 'version', 'kind', 'runtime', 'folder', 'change', 'build'], scan.actions.map((action) => [
    action.id, action.version, action.kind, action.runtime, action.folder || '.', action.change, action.build ? colorStatus(action.build.status) : 'not built',
  ]));
  if (scan.removed.length > 0) printLine(`Gone since the previous scan: ${scan.removed.map((removed) => `${removed.id}@${removed.version}`).join(', ')}`);
  printLine();
  printLine(colors.bold(`Problems (${scan.problems.length})`));
  for (const problem of scan.problems) printLine(colors.red(formatProblem(problem)));
}
