import { access, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import type { BuildFailure, StepContext } from '../../application/ports.js';
import { runCommand } from './process-runner.js';

export type PipSettings = {
  readonly python: string;
  readonly indexUrl: string | undefined;
  readonly findLinks: string | undefined;
  readonly env: Readonly<Record<string, string>>;
};

/** Where a Python action's dependencies go inside its folder; the artifact's launcher puts it on PYTHONPATH. */
export const PYTHON_PACKAGES = '.python';
export const PYTHON_LOCK = 'requirements.lock';

const exists = (file: string) => access(file).then(() => true, () => false);

/** The words a person can act on, out of pip's output. */
export function pipFailureReason(output: string): string {
  const errors = output.split('\n').filter((line) => line.startsWith('ERROR: ')).map((line) => line.slice('ERROR: '.length).trim());
  const noMatch = errors.map((line) => /^No matching distribution found for (.+)$/.exec(line)?.[1]).find(Boolean);
  if (noMatch) return `pip install failed: no package ${noMatch} in the package index`;
  const invalid = errors.find((line) => line.startsWith('Invalid requirement'));
  if (invalid) return `pip install failed: requirements.txt has an ${invalid.charAt(0).toLowerCase()}${invalid.slice(1)}`;
  if (errors.some((line) => /DO NOT MATCH THE HASHES/.test(line))) return `pip install failed: a package does not match its hash in ${PYTHON_LOCK}`;
  const first = errors.find((line) => !/^Could not find a version that satisfies/.test(line)) ?? errors[0];
  return `pip install failed${first ? `: ${first.slice(0, 300)}` : ''}`;
}

type Report = { install?: Array<{ metadata?: { name?: string; version?: string }; download_info?: { archive_info?: { hashes?: Record<string, string> } } }> };

/** `name==version --hash=sha256:...` for every installed distribution, sorted: the same install gives the same file. */
export function lockOf(report: Report): string {
  const lines = (report.install ?? []).map((item) => {
    const name = (item.metadata?.name ?? '').toLowerCase().replace(/[-_.]+/g, '-');
    const hash = item.download_info?.archive_info?.hashes?.['sha256'];
    return `${name}==${item.metadata?.version ?? ''}${hash ? ` \\\n    --hash=sha256:${hash}` : ''}`;
  }).sort();
  return `# Written by the Trellis action builder: what requirements.txt resolved to, with hashes.\n${lines.map((line) => `${line}\n`).join('')}`;
}

/**
 * Python dependencies, installed into the action folder's `.python/` with pip: from the folder's
 * requirements.lock when it has one (hashes required), else from requirements.txt, pinned then
 * in a written requirements.lock with the hashes pip reports. No bytecode is written, so the same
 * packages give the same bytes.
 */
export async function installPythonDependencies(folder: string, scratch: string, settings: PipSettings, context: StepContext): Promise<Result<void, BuildFailure>> {
  const lock = path.join(folder, PYTHON_LOCK);
  const requirements = path.join(folder, 'requirements.txt');
  const locked = await exists(lock);
  if (!locked && !(await exists(requirements))) {
    context.log.write('[builder] no requirements.txt: no Python dependencies to install');
    return ok(undefined);
  }
  const report = path.join(scratch, 'pip-report.json');
  const args = [
    '-m', 'pip', 'install', '--target', PYTHON_PACKAGES, '--no-compile', '--no-input', '--disable-pip-version-check', '--no-warn-script-location',
    '--progress-bar', 'off', '--root-user-action', 'ignore', '--report', report,
    ...(settings.indexUrl ? ['--index-url', settings.indexUrl] : []),
    ...(settings.findLinks ? ['--find-links', settings.findLinks] : []),
    ...(locked ? ['--require-hashes', '--no-deps', '-r', PYTHON_LOCK] : ['-r', 'requirements.txt']),
  ];
  const installed = await runCommand({ command: settings.python, args, cwd: folder, env: settings.env }, context);
  if (installed.code !== 0) return rejected({ reason: pipFailureReason(installed.output) });
  if (!locked) {
    await writeFile(lock, lockOf(JSON.parse(await readFile(report, 'utf8')) as Report));
    context.log.write(`[builder] wrote ${PYTHON_LOCK}`);
  }
  return ok(undefined);
}
