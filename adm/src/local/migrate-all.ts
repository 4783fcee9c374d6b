import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import type { SupervisorPlan } from './supervisor-plan.js';

/**
 * Runs every service's set-up steps (migrate: database migrations and broker topology) before
 * any service starts. A topic exchange drops what no queue is bound to yet, so authorization
 * must not announce the default project before studio, repository and runner have declared
 * their queues. The supervisor runs the same steps again before each (re)start; they are idempotent.
 */
export async function migrateAll(plan: SupervisorPlan, logFile: string): Promise<void> {
  const log = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
  try {
    for (const child of plan.children) {
      for (const step of child.setup ?? []) {
        let tail = '';
        const code = await new Promise<number | null>((resolve, reject) => {
          const run = spawn(step.command, [...step.args], { cwd: child.cwd, env: child.env, stdio: ['ignore', 'pipe', 'pipe'] });
          const collect = (chunk: Buffer) => {
            log.write(chunk);
            tail = (tail + String(chunk)).slice(-2000);
          };
          run.stdout.on('data', collect);
          run.stderr.on('data', collect);
          run.on('error', reject);
          run.on('exit', resolve);
        });
        if (code !== 0) throw new Error(`${step.name} of ${child.name} failed (exit ${code}); the end of its output:\n${tail}`);
      }
    }
  } finally {
    await new Promise((resolve) => log.end(resolve));
  }
}
