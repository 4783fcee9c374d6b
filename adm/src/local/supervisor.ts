import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, openSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SHUTDOWN_MESSAGE } from '@trellis/platform/lifecycle';
import { check } from './health.js';
import { killGroup, processStartTime, sleep } from './processes.js';
import { makeRotatingLog, type RotatingLog } from './rotating-log.js';
import { SUPERVISED_BY, type ChildSpec, type ChildState, type Probe, type SupervisorPlan, type SupervisorState } from './supervisor-plan.js';

export type Supervisor = {
  readonly state: SupervisorState;
  /** Stops every child (SIGTERM to its process group, SIGKILL after the timeout) and resolves when all are gone. */
  readonly stop: () => Promise<void>;
};

type Running = {
  /** The child's process, null for a child run in a thread. */
  pid: number | null;
  /** SIGTERM asks it to stop, SIGKILL ends it (with whatever it spawned in its process group). */
  kill: (signal: 'SIGTERM' | 'SIGKILL') => void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The end of its error output (what a failed start said), once the pipe is drained (1 s at most: a grandchild may hold it). */
  errorTail: () => Promise<string>;
};

/** Keeps the last `max` characters of a stream's text. */
function makeTail(max = 2_000) {
  let text = '';
  return { add: (chunk: Buffer) => (text = (text + chunk.toString('utf8')).slice(-max)), text: () => text.trim() };
}

/** The first line of a failure's output that says something, for the one-line status. */
function firstLine(output: string): string {
  return output.split('\n').map((line) => line.trim()).find((line) => line !== '' && !line.startsWith('---')) ?? '';
}

const now = () => new Date().toISOString();

/**
 * Starts and watches the plan's children: each in its own process group (so stopping it stops
 * whatever it spawned), its output in logs/<name>.log, its setup steps (migrations) run before
 * every start, restarted with growing delays when it dies. The state is kept in the state file.
 */
export function startSupervisor(plan: SupervisorPlan): Supervisor {
  mkdirSync(plan.logsDir, { recursive: true });
  const supervisorLog = makeRotatingLog(join(plan.logsDir, 'supervisor.log'), plan.logMaxBytes);
  const note = (line: string) => supervisorLog.write(`${now()} ${line}\n`);
  const state: SupervisorState = {
    pid: process.pid,
    pidStartTime: processStartTime(process.pid),
    status: 'starting',
    startedAt: now(),
    updatedAt: now(),
    meta: { ...plan.meta },
    children: Object.fromEntries(
      plan.children.map((spec): [string, ChildState] => [
        spec.name,
        {
          status: 'waiting',
          pid: null,
          ...(spec.runIn === 'thread' ? { thread: true } : {}),
          pidStartTime: null,
          command: [spec.command, ...spec.args].join(' '),
          restarts: 0,
          ready: false,
          startedAt: null,
          lastExit: null,
          lastError: null,
          lastOutput: null,
          health: spec.health ?? null,
          log: join(plan.logsDir, `${spec.name}.log`),
        },
      ]),
    ),
  };

  let writeTimer: NodeJS.Timeout | undefined;
  const writeState = () => {
    state.updatedAt = now();
    const temporary = `${plan.stateFile}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
    renameSync(temporary, plan.stateFile);
  };
  const saveSoon = () => {
    writeTimer ??= setTimeout(() => {
      writeTimer = undefined;
      writeState();
    }, 50);
  };
  const update = (name: string, change: Partial<ChildState>) => {
    Object.assign(state.children[name] as ChildState, change);
    // A pid goes to disk at once: if we are killed outright, `down` must still find the child.
    if ('pid' in change) writeState();
    else saveSoon();
  };

  let stopping = false;
  const wakers = new Set<() => void>();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakers.add(wake);
    });
  const everReady = new Set<string>();
  const running = new Map<string, Running>();
  const logs = new Map<string, RotatingLog>();

  const spawnInGroup = (spec: ChildSpec, log: RotatingLog, command: string, args: readonly string[], stdoutFile?: string): Running => {
    // detached = its own session and process group: a signal to -pid reaches all it spawns.
    // The marker variable lets `down` find anything of ours, even what a killed supervisor left behind.
    const env = { ...spec.env, [SUPERVISED_BY]: plan.stateFile };
    const stdout = stdoutFile ? openSync(stdoutFile, 'a', 0o640) : 'pipe';
    const proc = spawn(command, args, { cwd: spec.cwd, env, detached: true, stdio: ['ignore', stdout, 'pipe'] });
    if (typeof stdout === 'number') closeSync(stdout);
    const errorTail = makeTail();
    const drained = new Promise<void>((resolve) => (proc.stderr ? proc.stderr.once('close', resolve) : resolve()));
    proc.stdout?.on('data', (chunk: Buffer) => log.write(chunk));
    proc.stderr?.on('data', (chunk: Buffer) => {
      log.write(chunk);
      errorTail.add(chunk);
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      proc.once('exit', (code, signal) => resolve({ code, signal }));
      proc.once('error', (error) => {
        log.write(`--- ${now()} trellis-adm: cannot start ${command}: ${error.message}\n`);
        resolve({ code: 127, signal: null });
      });
    });
    const pid = proc.pid ?? null;
    return {
      pid,
      kill: (signal) => {
        if (pid) killGroup(pid, signal);
      },
      exited,
      errorTail: async () => (await Promise.race([drained, sleep(1_000)]), errorTail.text()),
    };
  };

  // The script is the last argument; node's own flags are the supervisor's (a worker shares its process).
  const startThread = (spec: ChildSpec, log: RotatingLog): Running => {
    const script = spec.args[spec.args.length - 1] as string;
    const worker = new Worker(script, { name: spec.name, env: { ...spec.env, [SUPERVISED_BY]: plan.stateFile }, argv: [], stdout: true, stderr: true });
    const errorTail = makeTail();
    const drained = new Promise<void>((resolve) => worker.stderr.once('end', resolve));
    worker.stdout.on('data', (chunk: Buffer) => log.write(chunk));
    worker.stderr.on('data', (chunk: Buffer) => {
      log.write(chunk);
      errorTail.add(chunk);
    });
    // What the thread did not catch ends it (exit code 1): said in its log, like a process's crash on stderr.
    worker.on('error', (error) => {
      const text = `uncaught in ${spec.name}: ${error.stack ?? error.message}\n`;
      log.write(text);
      errorTail.add(Buffer.from(text));
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => worker.once('exit', (code) => resolve({ code, signal: null })));
    return {
      pid: null,
      kill: (signal) => {
        if (signal === 'SIGTERM') worker.postMessage(SHUTDOWN_MESSAGE);
        else void worker.terminate();
      },
      exited,
      errorTail: async () => (await Promise.race([drained, sleep(1_000)]), errorTail.text()),
    };
  };

  const backoff = (failures: number) =>
    Math.min(plan.restart.initialDelayMs * 2 ** Math.max(0, failures - 1), plan.restart.maxDelayMs);

  // Restarting would fail the same way: the child stays `failed` (and says why) until the next start.
  const giveUp = (name: string, error: string, output: string, marker: (line: string) => void) => {
    const said = firstLine(output);
    marker(`${error}; not restarted`);
    note(`${name}: ${error}; not restarted: ${said || 'no error output'}`);
    update(name, { status: 'failed', lastError: said ? `${error}: ${said}` : error, lastOutput: output || null });
  };

  const runChild = async (spec: ChildSpec): Promise<void> => {
    const log = makeRotatingLog(join(plan.logsDir, `${spec.name}.log`), plan.logMaxBytes);
    logs.set(spec.name, log);
    const marker = (line: string) => log.write(`--- ${now()} trellis-adm: ${line}\n`);
    const fatal = new Set(spec.fatalExitCodes ?? []);
    let failures = 0;

    while (!stopping && !(spec.dependsOn ?? []).every((name) => everReady.has(name))) await pause(200);

    let setupPending = !plan.setupDone;
    while (!stopping) {
      let setupFailed: string | undefined;
      const setup = setupPending ? (spec.setup ?? []) : [];
      setupPending = true;
      for (const step of setup) {
        if (stopping) return;
        update(spec.name, { status: 'setup' });
        marker(`${step.name}: ${[step.command, ...step.args].join(' ')}`);
        const current = spawnInGroup(spec, log, step.command, step.args);
        running.set(spec.name, current);
        const stepPid = current.pid;
        update(spec.name, { pid: stepPid, pidStartTime: stepPid ? processStartTime(stepPid) : null });
        const { code, signal } = await current.exited;
        running.delete(spec.name);
        update(spec.name, { pid: null, pidStartTime: null });
        current.kill('SIGKILL');
        if (code !== null && fatal.has(code)) {
          giveUp(spec.name, `${step.name} cannot run as configured (exit ${code})`, await current.errorTail(), marker);
          return;
        }
        if (code !== 0) {
          setupFailed = `${step.name} failed (${signal ?? `exit ${code}`})`;
          break;
        }
      }
      if (stopping) return;

      if (setupFailed === undefined) {
        update(spec.name, { status: 'starting', ready: false });
        const thread = spec.runIn === 'thread';
        const current = thread ? startThread(spec, log) : spawnInGroup(spec, log, spec.command, spec.args, spec.stdoutFile);
        running.set(spec.name, current);
        const pid = current.pid;
        const startedAt = Date.now();
        const where = thread ? `in a thread of the supervisor (pid ${process.pid})` : `(pid ${pid ?? '-'})`;
        marker(`started ${[spec.command, ...spec.args].join(' ')} ${where}`);
        note(`${spec.name}: started ${thread ? 'thread' : `pid ${pid ?? '-'}`}`);
        update(spec.name, { pid, pidStartTime: pid ? processStartTime(pid) : null, startedAt: now(), lastError: null, lastOutput: null });
        if (!spec.ready) {
          everReady.add(spec.name);
          update(spec.name, { status: 'up', ready: true });
        } else {
          void (async () => {
            let exited = false;
            void current.exited.then(() => (exited = true));
            while (!exited && !stopping) {
              if ((await check(spec.ready as Probe)).ok) {
                if (!exited && !stopping) {
                  everReady.add(spec.name);
                  update(spec.name, { status: 'up', ready: true });
                  note(`${spec.name}: ready`);
                }
                return;
              }
              await sleep(300);
            }
          })();
        }
        const { code, signal } = await current.exited;
        running.delete(spec.name);
        // Whatever it left behind in its group goes with it.
        current.kill('SIGKILL');
        update(spec.name, { pid: null, pidStartTime: null, ready: false, lastExit: { code, signal, at: now() } });
        if (stopping) return;
        if (code !== null && fatal.has(code)) {
          giveUp(spec.name, `cannot run as configured (exit ${code})`, await current.errorTail(), marker);
          return;
        }
        marker(`exited (${signal ?? `code ${code}`})`);
        if (Date.now() - startedAt > plan.restart.resetAfterMs) failures = 0;
        update(spec.name, { lastError: `exited (${signal ?? `code ${code}`})` });
      } else {
        marker(setupFailed);
        update(spec.name, { lastError: setupFailed });
      }

      failures += 1;
      const delay = backoff(failures);
      note(`${spec.name}: ${state.children[spec.name]?.lastError ?? 'stopped'}; restarting in ${delay} ms`);
      update(spec.name, { status: 'backoff', restarts: (state.children[spec.name]?.restarts ?? 0) + 1 });
      await pause(delay);
    }
  };

  // A stdout file is capped like our logs, by copy and truncate: the child keeps writing (O_APPEND) at the new start.
  const rotateOwnLogs = () => {
    for (const spec of plan.children) {
      if (!spec.stdoutFile) continue;
      try {
        if (statSync(spec.stdoutFile).size <= plan.logMaxBytes) continue;
        copyFileSync(spec.stdoutFile, `${spec.stdoutFile}.1`);
        truncateSync(spec.stdoutFile, 0);
      } catch {
        // not written yet
      }
    }
  };
  const rotation = setInterval(rotateOwnLogs, 10_000);
  rotation.unref();

  const loops = plan.children.map((spec) =>
    runChild(spec).catch((error: unknown) => {
      note(`${spec.name}: supervisor loop failed: ${error instanceof Error ? error.stack : String(error)}`);
    }),
  );
  state.status = 'running';
  writeState();
  note(`supervisor pid ${process.pid} running ${plan.children.map((c) => c.name).join(', ')}`);

  const stopOne = async (name: string): Promise<void> => {
    const current = running.get(name);
    if (!current) return;
    update(name, { status: 'stopping' });
    current.kill('SIGTERM');
    const exited = await Promise.race([current.exited.then(() => true), sleep(plan.stopTimeoutMs).then(() => false)]);
    if (!exited) {
      note(`${name}: still running ${plan.stopTimeoutMs} ms after SIGTERM, ending it`);
      current.kill('SIGKILL');
      await current.exited;
    }
    current.kill('SIGKILL');
  };

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      stopping = true;
      clearInterval(rotation);
      state.status = 'stopping';
      writeState();
      note('stopping');
      for (const wake of [...wakers]) wake();
      // Dependants first (the gateway, the services), then what they depend on (the object store).
      const needed = new Set(plan.children.flatMap((c) => c.dependsOn ?? []));
      const first = plan.children.filter((c) => !needed.has(c.name)).map((c) => c.name);
      const last = plan.children.filter((c) => needed.has(c.name)).map((c) => c.name);
      await Promise.all(first.map(stopOne));
      await Promise.all(last.map(stopOne));
      await Promise.all(loops);
      // A process spawned while we were stopping the others.
      await Promise.all([...running.keys()].map(stopOne));
      for (const name of Object.keys(state.children)) update(name, { status: 'stopped', pid: null, pidStartTime: null, ready: false });
      if (writeTimer) clearTimeout(writeTimer);
      state.status = 'stopped';
      writeState();
      note('stopped');
      for (const log of logs.values()) log.close();
      supervisorLog.close();
    })();
    return stopped;
  };

  return { state, stop };
}
