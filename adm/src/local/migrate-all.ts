import { spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { ChildSpec, Step, SupervisorPlan } from './supervisor-plan.js';

/** What a failed set-up step leaves for the message: whose it was, how it ended, what it said last. */
type StepFailure = { readonly child: string; readonly step: string; readonly ending: string; readonly tail: string };

const tailChars = 2000;

/**
 * Runs every service's set-up steps (migrate: database migrations and broker topology) before
 * any service starts. A topic exchange drops what no queue is bound to yet, so authorization
 * must not announce the default project before studio, repository and runner have declared
 * their queues: that holds as long as all of them finish before the supervisor starts.
 * The services run their steps at the same time (their databases are separate and their broker
 * declarations idempotent); one service's steps run in order. The supervisor runs the same
 * steps again before each (re)start.
 */
export async function migrateAll(plan: Pick<SupervisorPlan, 'children'>, logFile: string): Promise<void> {
  const log = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
  try {
    const outcomes = await Promise.all(plan.children.map((child) => runSetup(child, log)));
    const failures = outcomes.filter((failure) => failure !== undefined);
    if (failures.length > 0) throw new Error(describeFailures(failures));
  } finally {
    await new Promise((resolve) => log.end(resolve));
  }
}

/** One service's steps in order, up to the first that fails. */
async function runSetup(child: ChildSpec, log: WriteStream): Promise<StepFailure | undefined> {
  for (const step of child.setup ?? []) {
    const failure = await runStep(child, step, log);
    if (failure !== undefined) return failure;
  }
  return undefined;
}

/**
 * Runs one step. Its output is kept until it ends and then written to the log in one piece, so
 * that the lines of steps running at the same time are not cut into each other.
 */
async function runStep(child: ChildSpec, step: Step, log: WriteStream): Promise<StepFailure | undefined> {
  const chunks: Buffer[] = [];
  const ending = await new Promise<string | undefined>((resolve) => {
    const run = spawn(step.command, [...step.args], { cwd: child.cwd, env: child.env, stdio: ['ignore', 'pipe', 'pipe'] });
    run.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    run.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    run.on('error', (error) => resolve(`could not be started: ${error.message}`));
    // 'close', not 'exit': only then has all of its output been read.
    run.on('close', (code, signal) => resolve(code === 0 ? undefined : signal === null ? `exit ${code}` : `killed by ${signal}`));
  });
  const output = Buffer.concat(chunks);
  log.write(output);
  if (ending === undefined) return undefined;
  return { child: child.name, step: step.name, ending, tail: output.toString('utf8').slice(-tailChars) };
}

/** Names every service whose step failed, each with the end of its output. */
function describeFailures(failures: readonly StepFailure[]): string {
  const each = failures.map((f) => `${f.step} of ${f.child} failed (${f.ending}); the end of its output:\n${f.tail}`);
  if (failures.length === 1) return each.join('');
  const names = failures.map((f) => `${f.step} of ${f.child}`).join(', ');
  return [`${failures.length} set-up steps failed: ${names}`, ...each].join('\n\n');
}
