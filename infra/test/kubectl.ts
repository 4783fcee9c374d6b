import { execFileSync } from 'node:child_process';

/** Is kubectl on PATH? (the checks that render with it run only where it is) */
export function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}
