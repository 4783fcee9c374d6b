import { readdirSync, readFileSync } from 'node:fs';

/** Whether a process exists (a zombie or a process of another user counts). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

export function processCommandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** The same process as recorded: alive and started at the recorded time (pids get reused). */
export function isSameProcess(pid: number | null, startTime: string | null): pid is number {
  if (!pid || !isAlive(pid)) return false;
  return startTime === null || processStartTime(pid) === startTime;
}

/** Signals a whole process group (the child and everything it spawned); false when it is gone. */
export function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  // kill(-0) would signal our own group, and -1 every process we may signal.
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Every process (but this one) whose environment holds `name=value`: what a supervisor started, wherever it went. */
export function processesWithEnv(name: string, value: string): number[] {
  const needle = Buffer.from(`\0${name}=${value}\0`);
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      // Each variable ends with a NUL; prefix one so the first variable matches too.
      const environ = Buffer.concat([Buffer.from('\0'), readFileSync(`/proc/${entry}/environ`)]);
      if (environ.includes(needle)) found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** Every process (but this one) whose arguments include all of `args`, each as a whole argument. */
export function processesWithCommandLine(args: readonly string[]): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.every((arg) => argv.includes(arg))) found.push(Number(entry));
    } catch {
      // gone
    }
  }
  return found;
}
