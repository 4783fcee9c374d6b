/** Set in every child's environment to the state file's path: marks all processes of one instance. */
export const SUPERVISED_BY = 'TRELLIS_SUPERVISED_BY';

/** What the supervisor runs (written by `up` to .trellis/supervisor.json) and what it reports (state.json). */

export type Step = { readonly name: string; readonly command: string; readonly args: readonly string[] };

/** An HTTP GET that counts as ready on a 2xx answer, or on any answer when `anyStatus` is set. */
export type Probe = { readonly url: string; readonly anyStatus?: boolean };

export type ChildSpec = {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /**
   * `thread`: a Node script (the last of `args`) run in a worker thread of the supervisor's own
   * process rather than a process of its own: with its own environment, heap and modules, it
   * shares the Node binary's memory with the other threads (docs/decisions.md). Its `cwd` is the
   * supervisor's; it stops on the platform's shutdown message, or is terminated.
   */
  readonly runIn?: 'process' | 'thread';
  /** One-shot commands (migrations) run before every start; each must exit 0, else the start backs off. */
  readonly setup?: readonly Step[];
  /** Children that must have been ready once before this one starts. */
  readonly dependsOn?: readonly string[];
  /** Decides when the child counts as ready (without one: as soon as it runs). */
  readonly ready?: Probe;
  /**
   * Send the child's stdout to this file instead of its log: for nginx, whose `access_log
   * /dev/stdout` cannot be opened when stdout is a socket (as our pipes are). Capped by copy and
   * truncate, since the child keeps its descriptor.
   */
  readonly stdoutFile?: string;
  /** Checked by `status`: the child's own health endpoint. */
  readonly health?: Probe;
  /**
   * Exit codes (of the child or a setup step) that mean it cannot run as configured: it is not
   * restarted but marked `failed`, with the end of its error output, until the next start.
   */
  readonly fatalExitCodes?: readonly number[];
};

export type SupervisorPlan = {
  readonly stateFile: string;
  readonly logsDir: string;
  readonly children: readonly ChildSpec[];
  /** SIGTERM, then SIGKILL after this long. */
  readonly stopTimeoutMs: number;
  /** Restart delays grow from `initialDelayMs`, doubling up to `maxDelayMs`; a run longer than `resetAfterMs` starts over. */
  readonly restart: { readonly initialDelayMs: number; readonly maxDelayMs: number; readonly resetAfterMs: number };
  /** Each log file is rotated once it reaches this size (one previous file is kept). */
  readonly logMaxBytes: number;
  /**
   * The children's set-up steps have just been run by whoever started the supervisor (`up` runs
   * every migration before it): the first start of each child skips them, restarts run them.
   */
  readonly setupDone?: boolean;
  /** Anything the caller wants to find again in state.json (the gateway URL, say). */
  readonly meta?: Readonly<Record<string, string>>;
};

export type ChildStatus = 'waiting' | 'setup' | 'starting' | 'up' | 'backoff' | 'failed' | 'stopping' | 'stopped';

export type ChildState = {
  status: ChildStatus;
  /** Its process; for a child run in a thread, the supervisor's own (`thread` says so). */
  pid: number | null;
  thread?: boolean;
  /** /proc start time of pid, so a recycled pid is never mistaken for our child. */
  pidStartTime: string | null;
  command: string;
  restarts: number;
  ready: boolean;
  startedAt: string | null;
  lastExit: { code: number | null; signal: string | null; at: string } | null;
  lastError: string | null;
  /** The last lines of its error output when it failed for good (status `failed`). */
  lastOutput: string | null;
  health: Probe | null;
  log: string;
};

export type SupervisorState = {
  pid: number;
  pidStartTime: string | null;
  status: 'starting' | 'running' | 'stopping' | 'stopped';
  startedAt: string;
  updatedAt: string;
  meta: Record<string, string>;
  children: Record<string, ChildState>;
};
