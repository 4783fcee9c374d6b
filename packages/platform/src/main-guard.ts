import { readFileSync } from 'node:fs';
import { ConfigError } from './config.js';

/**
 * The exit code of a service that cannot start as configured (sysexits.h EX_CONFIG). A supervisor
 * does not restart a process that exits with it: the same configuration would fail the same way.
 */
export const CONFIG_ERROR_EXIT_CODE = 78;

/**
 * Runs a service's main. A configuration problem prints plainly (no stack) and exits 78, so the
 * supervisor stops and reports it; anything else prints its stack and exits 1 (restarted).
 */
export function runMain(main: () => Promise<void>, exit: (code: number) => void = (code) => process.exit(code)): void {
  main().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      exit(CONFIG_ERROR_EXIT_CODE);
      return;
    }
    process.stderr.write(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    exit(1);
  });
}

/** The `version` of the package.json next to a service's src/ or dist/ folder. */
export function packageVersion(moduleUrl: string): string {
  const raw = readFileSync(new URL('../package.json', moduleUrl), 'utf8');
  return String((JSON.parse(raw) as { version?: unknown }).version ?? '0.0.0');
}
