#!/usr/bin/env node
/**
 * The detached supervisor process that `trellis-adm up` starts: `node supervisor-main.js <plan.json>`.
 * It runs until SIGTERM (or SIGINT), then stops every child and exits 0.
 */
import { openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isSameProcess, processStartTime } from './processes.js';
import { startSupervisor } from './supervisor.js';
import type { SupervisorPlan } from './supervisor-plan.js';

const planFile = process.argv[2];
if (!planFile) {
  console.error('usage: supervisor-main.js <plan.json>');
  process.exit(2);
}
const plan = JSON.parse(readFileSync(planFile, 'utf8')) as SupervisorPlan;

// One supervisor per state directory: the lock holds our pid and start time.
const lockFile = join(dirname(plan.stateFile), 'supervisor.pid');
const takeLock = (): boolean => {
  try {
    const fd = openSync(lockFile, 'wx', 0o644);
    writeFileSync(fd, `${process.pid} ${processStartTime(process.pid) ?? ''}\n`);
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const [pid, start] = readFileSync(lockFile, 'utf8').trim().split(' ');
    if (isSameProcess(Number(pid), start || null)) return false;
    rmSync(lockFile, { force: true });
    return takeLock();
  }
};
if (!takeLock()) {
  console.error(`another supervisor already runs for ${dirname(plan.stateFile)}`);
  process.exit(3);
}

const supervisor = startSupervisor(plan);
let exiting = false;
const exit = (code: number) => {
  if (exiting) return;
  exiting = true;
  supervisor
    .stop()
    .catch((error: unknown) => console.error(error))
    .finally(() => {
      rmSync(lockFile, { force: true });
      process.exit(code);
    });
};
process.on('SIGTERM', () => exit(0));
process.on('SIGINT', () => exit(0));
process.on('SIGHUP', () => undefined);
process.on('uncaughtException', (error) => {
  console.error(`${new Date().toISOString()} supervisor crashed: ${error.stack ?? error.message}`);
  exit(1);
});
