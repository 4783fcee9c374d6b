import { type ChildProcess, spawn } from 'node:child_process';

export type ProcessExit = { readonly code: number | null; readonly signal: NodeJS.Signals | null };

/** One running wrapper (`node wrapper/cli.js action --port 0`) in an unpacked artifact. */
export type WrapperProcess = {
  readonly pid: number;
  readonly port: number;
  /** `127.0.0.1:<port>`, where its gRPC serves. */
  readonly address: string;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ProcessExit>;
  /** What it wrote outside executions (stderr, and stdout after the port), its last `logLimitBytes`. */
  log: () => string;
  /** SIGTERM to its process group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop: (graceMs: number) => Promise<ProcessExit>;
};

/**
 * The wrapper's own limit, above any the site sets: the site's limit per action version is the one
 * that holds (its callers wait in order there), so the wrapper's queue stays empty. Python runs one
 * execution at a time whatever this says.
 */
const WRAPPER_CONCURRENCY = 1024;

export type WrapperOptions = {
  readonly folder: string;
  readonly logLimitBytes: number;
  readonly startTimeoutMs: number;
  /** The instance's settings for actions (TRELLIS_ALLOW_PRIVATE_NETWORK), beside PATH: nothing of the runner's own. */
  readonly actionEnv?: Readonly<Record<string, string>>;
};

/**
 * Starts the wrapper in its own process group (so its Python child goes with it) with an
 * environment of PATH, TRELLIS_EXIT_WITH_STDIN and the instance's action settings alone: the runner's secrets never reach an action. The first line of its
 * stdout is the port; a process that exits or stays silent first is a failed start (killed).
 */
export function startWrapperProcess(options: WrapperOptions): Promise<WrapperProcess> {
  // Its stdin is a pipe the runner never writes to: when the runner dies (kill -9 included), the
  // pipe closes and the wrapper stops with it rather than live on orphaned. Asked for by
  // environment, not by flag: a wrapper bundled in an older artifact ignores it instead of refusing.
  const child = spawn(process.execPath, ['wrapper/cli.js', 'action', '--port', '0', '--host', '127.0.0.1', '--concurrency', String(WRAPPER_CONCURRENCY)], {
    cwd: options.folder,
    env: { ...options.actionEnv, PATH: process.env['PATH'] ?? '', TRELLIS_EXIT_WITH_STDIN: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  const keep = (text: string) => {
    log = (log + text).slice(-options.logLimitBytes);
  };
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  const signalGroup = (signal: NodeJS.Signals) => killGroup(child, signal);
  const stop = async (graceMs: number) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      signalGroup('SIGKILL'); // whatever it left in its group
      return exited;
    }
    signalGroup('SIGTERM');
    const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
    const exit = await exited;
    clearTimeout(timer);
    signalGroup('SIGKILL');
    return exit;
  };
  child.stderr.setEncoding('utf8').on('data', keep);

  return new Promise<WrapperProcess>((resolve, reject) => {
    let stdout = '';
    let started = false;
    const fail = (why: string) => {
      if (started) return;
      started = true;
      clearTimeout(timer);
      void stop(0).then(() => reject(new Error(`${why}${log ? `; its output:\n${log.slice(-2000)}` : ''}`)));
    };
    const timer = setTimeout(() => fail(`the wrapper did not print its port within ${options.startTimeoutMs} ms`), options.startTimeoutMs);
    child.once('error', (error) => fail(`the wrapper cannot be started: ${error.message}`));
    void exited.then((exit) => fail(`the wrapper exited (${exit.signal ?? `code ${String(exit.code)}`}) before it served`));
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      if (started) return keep(text);
      stdout += text;
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      const port = Number(stdout.slice(0, newline));
      keep(stdout.slice(newline + 1));
      if (!Number.isInteger(port) || port <= 0 || port > 65535) return fail(`the wrapper's first line is not a port: ${JSON.stringify(stdout.slice(0, 80))}`);
      started = true;
      clearTimeout(timer);
      resolve({ pid: child.pid ?? 0, port, address: `127.0.0.1:${port}`, exited, log: () => log, stop });
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}
