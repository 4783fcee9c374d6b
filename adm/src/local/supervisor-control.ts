import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '../paths.js';
import { isAlive, isSameProcess, killGroup, processesWithCommandLine, processesWithEnv, sleep } from './processes.js';
import { SUPERVISED_BY, type SupervisorState } from './supervisor-plan.js';

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** The built supervisor entry point (the supervisor always runs from adm/dist). */
export function supervisorMainPath(): string {
  return join(repoRoot(), 'adm', 'dist', 'local', 'supervisor-main.js');
}

export function readState(stateFile: string): SupervisorState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile, 'utf8')) as SupervisorState;
  } catch {
    return undefined;
  }
}

/** The supervisor's state when it is running now, else undefined. */
export function runningSupervisor(stateFile: string): SupervisorState | undefined {
  const state = readState(stateFile);
  if (!state || state.status === 'stopped') return undefined;
  return isSameProcess(state.pid, state.pidStartTime) ? state : undefined;
}

/**
 * Starts the supervisor in a session of its own (setsid), stdin closed, output to a file: it
 * outlives the shell (and `make`) that ran `up`. Resolves with its pid once it wrote its state.
 */
export async function launchSupervisor(planFile: string, stateFile: string, outFile: string): Promise<number> {
  const main = supervisorMainPath();
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npm run build)`);
  mkdirSync(dirname(outFile), { recursive: true });
  const out = openSync(outFile, 'a', 0o640);
  // Source maps on: the services it runs in threads log stack traces of their TypeScript.
  const child = spawn(process.execPath, ['--enable-source-maps', main, planFile], { detached: true, stdio: ['ignore', out, out], cwd: repoRoot() });
  closeSync(out);
  child.unref();
  const pid = child.pid;
  if (!pid) throw new Error('could not start the supervisor');
  let exitCode: number | null = null;
  child.once('exit', (code) => (exitCode = code ?? 1));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (exitCode !== null) throw new Error(`the supervisor exited at once (code ${exitCode}); see ${outFile}`);
    if (readState(stateFile)?.pid === pid) return pid;
    await sleep(100);
  }
  throw new Error(`the supervisor did not report within 10 s; see ${outFile}`);
}

/** Children recorded in a state file that still run (a supervisor killed with SIGKILL leaves them). */
export function strayChildren(state: SupervisorState): { name: string; pid: number }[] {
  return Object.entries(state.children)
    .filter(([, child]) => isSameProcess(child.pid, child.pidStartTime))
    .map(([name, child]) => ({ name, pid: child.pid as number }));
}

/**
 * Stops the supervisor (it stops its children first) and waits for it; then makes sure no
 * child it recorded is left, even when the supervisor itself was gone.
 */
export async function stopSupervisor(stateFile: string, timeoutMs = 60_000): Promise<{ wasRunning: boolean; strays: string[] }> {
  const state = readState(stateFile);
  if (!state) return stopUnrecorded(stateFile);
  const wasRunning = state.status !== 'stopped' && isSameProcess(state.pid, state.pidStartTime);
  if (wasRunning) {
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + timeoutMs;
    while (isSameProcess(state.pid, state.pidStartTime) && Date.now() < deadline) await sleep(100);
    if (isSameProcess(state.pid, state.pidStartTime)) process.kill(state.pid, 'SIGKILL');
  }
  // Read again: the supervisor rewrote it on its way out.
  const last = readState(stateFile) ?? state;
  const strays = strayChildren(last);
  for (const stray of strays) killGroup(stray.pid, 'SIGTERM');
  // Anything else that carries our marker (a child started just before the supervisor was killed).
  const marked = processesWithEnv(SUPERVISED_BY, stateFile);
  for (const pid of marked) signal(pid, 'SIGTERM');
  if (strays.length > 0 || marked.length > 0) {
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && processesWithEnv(SUPERVISED_BY, stateFile).length > 0) await sleep(100);
    for (const stray of strays) killGroup(stray.pid, 'SIGKILL');
    for (const pid of processesWithEnv(SUPERVISED_BY, stateFile)) signal(pid, 'SIGKILL');
  }
  const names = new Set(strays.map((s) => s.name));
  if (marked.length > strays.length) names.add(`${marked.length} more process(es)`);
  return { wasRunning, strays: [...names] };
}

/**
 * Without a state file (`.trellis/` was removed while everything ran) the processes of this state
 * directory are still found: the supervisor by its command line, its children by their marker.
 */
async function stopUnrecorded(stateFile: string): Promise<{ wasRunning: boolean; strays: string[] }> {
  const planFile = join(dirname(stateFile), 'supervisor.json');
  const supervisors = processesWithCommandLine([supervisorMainPath(), planFile]);
  const children = processesWithEnv(SUPERVISED_BY, stateFile);
  if (supervisors.length === 0 && children.length === 0) return { wasRunning: false, strays: [] };
  // The supervisor stops its children on SIGTERM; whatever is left then gets the same after it.
  for (const pid of supervisors) signal(pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && supervisors.some((pid) => isAlive(pid))) await sleep(100);
  for (const pid of processesWithEnv(SUPERVISED_BY, stateFile)) if (!killGroup(pid, 'SIGTERM')) signal(pid, 'SIGTERM');
  const end = Date.now() + 5_000;
  while (Date.now() < end && processesWithEnv(SUPERVISED_BY, stateFile).length > 0) await sleep(100);
  for (const pid of [...supervisors, ...processesWithEnv(SUPERVISED_BY, stateFile)]) signal(pid, 'SIGKILL');
  const what = [...(supervisors.length > 0 ? ['the supervisor'] : []), ...(children.length > 0 ? [`${children.length} process(es) it started`] : [])];
  return { wasRunning: supervisors.length > 0, strays: what };
}
