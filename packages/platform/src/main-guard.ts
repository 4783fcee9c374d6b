import { readFileSync } from 'node:fs';
import { ConfigError } from './config.js';

/** Runs a service's main; a configuration problem prints plainly (no stack) and exits 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}

/** The `version` of the package.json next to a service's src/ or dist/ folder. */
export function packageVersion(moduleUrl: string): string {
  const raw = readFileSync(new URL('../package.json', moduleUrl), 'utf8');
  return String((JSON.parse(raw) as { version?: unknown }).version ?? '0.0.0');
}
