// bench:platform run as it is (bench/platform/run.mjs), as a child process: its setup alone
// (build add-one, deploy chain-1) before a timed start, and its whole load afterwards, read back
// from the results file it writes.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { track } from './children.mjs';

const script = path.resolve(import.meta.dirname, '../platform/run.mjs');

function runPlatform(env) {
  return new Promise((resolve, reject) => {
    // Its table goes to our stderr: our stdout is kept for the comparison's table.
    const child = track(spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 2, 2], detached: true }), { group: true });
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`bench:platform exited with ${code ?? signal}`))));
  });
}

/** Builds add-one and deploys chain-1 (HTTP trigger, no auth), measuring nothing. */
export function deployChainOne() {
  return runPlatform({ BENCH_SETUP_ONLY: '1', BENCH_CHAINS: '1', BENCH_FANOUT: '0' });
}

/**
 * The whole of bench:platform with the n8n script's counts: chain-1, chain-10, chain-40 and
 * fanout-100, 5 warm-ups, `sequential` calls one by one, `concurrent` at concurrency 10 (and
 * twice that for one-step at c=32), cold starts, the floor; the calls through `client` (fetch:
 * the n8n script's client). Resolves with its results JSON.
 */
export async function platformLoad({ sequential, concurrent, coldStarts, client }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'trellis-compare-'));
  const file = path.join(dir, 'platform.json');
  try {
    await runPlatform({
      BENCH_CHAINS: '1,10,40', BENCH_FANOUT: '1', BENCH_SEQUENTIAL: String(sequential), BENCH_CONCURRENT: String(concurrent),
      BENCH_COLD_STARTS: String(coldStarts), BENCH_CLIENT: client, BENCH_SETUP_ONLY: '0', BENCH_RESULTS_FILE: file,
    });
    return JSON.parse(readFileSync(file, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
