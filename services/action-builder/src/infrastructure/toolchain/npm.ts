import { access } from 'node:fs/promises';
import path from 'node:path';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import type { BuildFailure, StepContext } from '../../application/ports.js';
import { runCommand } from './process-runner.js';

export type NpmSettings = { readonly registry: string | undefined; readonly env: Readonly<Record<string, string>> };

const exists = (file: string) => access(file).then(() => true, () => false);

/** The words a person can act on, out of npm's output. */
export function npmFailureReason(step: string, output: string): string {
  const lines = output.split('\n').map((line) => line.replace(/^npm (error|ERR!) ?/, '').trim());
  const notInRegistry = /'([^']+)' (?:is not in this registry|could not be found)/.exec(lines.find((line) => /is not in this registry|could not be found/.test(line)) ?? '');
  if (notInRegistry) return `${step} failed: package ${notInRegistry[1]} not found in the registry`;
  const notFound = /^404 Not Found - GET (\S+)/.exec(lines.find((line) => line.startsWith('404 Not Found')) ?? '');
  if (notFound?.[1]) return `${step} failed: package ${decodeURIComponent(notFound[1].split('/').filter(Boolean).pop() ?? notFound[1])} not found in the registry`;
  const noVersion = lines.find((line) => line.startsWith('notarget No matching version found for '));
  if (noVersion) return `${step} failed: ${noVersion.replace(/^notarget /, '').replace(/\.$/, '')}`;
  if (lines.some((line) => /can only install packages when your package\.json and package-lock\.json/.test(line))) {
    return `${step} failed: package.json and package-lock.json do not match; run npm install and commit the lock file`;
  }
  const unreachable = lines.find((line) => !/^(code|errno|syscall) /.test(line) && /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|network request to/.test(line));
  if (unreachable) return `${step} failed: the npm registry cannot be reached (${unreachable.slice(0, 200)})`;
  if (lines.some((line) => line.startsWith('code EJSONPARSE'))) return `${step} failed: package.json (or the lock file) is not valid JSON`;
  const meaningful = lines.filter((line) => line !== '' && !/^(code |errno |syscall |A complete log|Log files were not written|[0-9]{2,}\s*$)/.test(line));
  const message = meaningful.find((line) => output.includes(`npm error ${line}`) || output.includes(`npm ERR! ${line}`)) ?? meaningful.at(-1);
  return `${step} failed${message ? `: ${message.slice(0, 300)}` : ''}`;
}

/**
 * Node dependencies: `npm ci` with the folder's lock, or a lock written first (`npm install
 * --package-lock-only`) when it has none; install scripts never run, dev dependencies stay out.
 * The lock ships in the artifact beside node_modules.
 */
export async function installNodeDependencies(folder: string, settings: NpmSettings, context: StepContext): Promise<Result<void, BuildFailure>> {
  if (!(await exists(path.join(folder, 'package.json')))) {
    context.log.write('[builder] no package.json: no Node.js dependencies to install');
    return ok(undefined);
  }
  const common = ['--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=warn', ...(settings.registry ? [`--registry=${settings.registry}`] : [])];
  const npm = (args: string[]) => runCommand({ command: 'npm', args: [...args, ...common], cwd: folder, env: settings.env }, context);
  const hasLock = (await exists(path.join(folder, 'package-lock.json'))) || (await exists(path.join(folder, 'npm-shrinkwrap.json')));
  if (!hasLock) {
    context.log.write('[builder] no package-lock.json: writing one');
    const locked = await npm(['install', '--package-lock-only']);
    if (locked.code !== 0) return rejected({ reason: npmFailureReason('npm install --package-lock-only', locked.output) });
  }
  const installed = await npm(['ci', '--omit=dev', '--prefer-offline']);
  if (installed.code !== 0) return rejected({ reason: npmFailureReason('npm ci', installed.output) });
  return ok(undefined);
}
