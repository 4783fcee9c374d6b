// The local Trellis instance of this checkout, as `make up` runs it: whether it is up, `make
// up`/`make down`, its first answered trigger after a start, and its memory at idle.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { track } from './children.mjs';
import { childrenOf, commandLineOf, megabytes, memoryOf, processesWithEnv, totalOf, treeOf } from './proc.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const stateDir = path.resolve(process.env.TRELLIS_STATE_DIR ?? path.join(root, '.trellis'));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The supervisor's state file (adm's `.trellis/state.json`): its pid and each child's. */
function readState() {
  try {
    return JSON.parse(readFileSync(path.join(stateDir, 'state.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat, as adm records it: a pid reused by another process does not count. */
function startTimeOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The running supervisor's state, as `make status` decides it, or undefined when the instance is down. */
export function runningState() {
  const state = readState();
  if (!state || state.status === 'stopped') return undefined;
  const started = startTimeOf(state.pid);
  return started !== undefined && (state.pidStartTime ?? started) === started ? state : undefined;
}

/**
 * The lines of make's output that mark a step: kept with their times. Nothing else is kept, so the
 * results never hold the login `make up` prints (the admin password).
 */
export function isStepLine(line) {
  return line.startsWith('trellis: ') || line.startsWith('protos gen') || line.startsWith('vite ') || /^- [\w-]+ ready$/.test(line);
}

/**
 * `make <target>` in this checkout, its output on our stderr; throws unless it exits 0. Resolves
 * with its step lines, each with when it came (ms after the start): where a start's time goes
 * (code generation, build, migrations, services).
 */
export function make(target) {
  const start = performance.now();
  const phases = [];
  return new Promise((resolve, reject) => {
    // Its own process group: a Ctrl-C or SIGTERM to bench:compare reaches make and what it runs.
    const child = track(spawn('make', [target], { cwd: root, stdio: ['ignore', 'pipe', 2], detached: true }), { group: true });
    let pending = '';
    child.stdout.on('data', (chunk) => {
      process.stderr.write(chunk);
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop();
      const atMs = Math.round(performance.now() - start);
      for (const line of lines.map((l) => l.trim())) if (isStepLine(line)) phases.push({ atMs, line: line.slice(0, 120) });
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve(phases) : reject(new Error(`make ${target} exited with ${code ?? signal}`))));
  });
}

export function adminPassword() {
  if (process.env.TRELLIS_ADMIN_PASSWORD) return process.env.TRELLIS_ADMIN_PASSWORD;
  const file = path.join(stateDir, 'admin-password');
  if (!existsSync(file)) throw new Error(`no ${file}: run \`make up\` first, or set TRELLIS_ADMIN_PASSWORD`);
  return readFileSync(file, 'utf8').trim();
}

async function call(base, method, route, { token, json } = {}) {
  const headers = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(json ? { 'content-type': 'application/json' } : {}) };
  const response = await fetch(`${base}${route}`, { method, headers, body: json ? JSON.stringify(json) : undefined, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text };
}

export async function login(base) {
  const answer = await call(base, 'POST', '/authorization/login', { json: { username: 'admin', password: adminPassword() } });
  if (answer.status !== 200) throw new Error(`logging in at ${base}: ${answer.status} ${answer.text.slice(0, 200)}`);
  return answer.body.access_token;
}

/**
 * Calls chain-1's HTTP trigger every 50 ms until it answers right (n + 1), as n8n's script polls
 * its first webhook: resolves with the time of that answer (performance.now()). While the
 * platform starts, the gateway refuses or answers 502 and the runner 404: those are waited out.
 */
export async function firstAnsweredTrigger(base, project, timeoutMs) {
  const end = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < end) {
    try {
      const answer = await call(base, 'POST', `/user-api/${project}/bench-chain-1`, { json: { n: 1 } });
      if (answer.status === 200 && answer.body?.n === 2) return performance.now();
      last = `${answer.status} ${answer.text.slice(0, 120)}`;
    } catch (error) {
      last = String(error?.cause?.code ?? error?.message ?? error);
    }
    await sleep(50);
  }
  throw new Error(`chain-1's trigger did not answer within ${timeoutMs / 1000} s (last: ${last})`);
}

/** Stops every deployment's action processes with the runner's scale-to-zero route (a call in flight: asked again). */
export async function scaleEverythingToZero(base, token) {
  const listed = await call(base, 'GET', '/runner/deployments', { token });
  if (listed.status !== 200) throw new Error(`listing deployments: ${listed.status} ${listed.text.slice(0, 200)}`);
  for (const deployment of listed.body.items) {
    for (let attempt = 1; ; attempt++) {
      const scaled = await call(base, 'POST', `/runner/deployments/${deployment.workflow_id}/scale-to-zero`, { token });
      if (scaled.status !== 200) throw new Error(`scaling ${deployment.name ?? deployment.workflow_id} to zero: ${scaled.status} ${scaled.text.slice(0, 200)}`);
      if (!scaled.body.actions.some((a) => a.outcome === 'busy') || attempt === 20) break;
      await sleep(500);
    }
  }
  return listed.body.items.length;
}

/** An action process the runner started: `node wrapper/cli.js action ...` in an unpacked artifact. */
function isActionProcess(pid) {
  return /\bwrapper\/cli\.js action\b/.test(commandLineOf(pid));
}

/**
 * Every process the instance started, with its memory: the supervisor (with the children it runs
 * in threads of its own process: by default the object store and the five services), each child
 * run as a process of its own and the processes those spawned (nginx's workers), except what the
 * runner spawns: action processes, which the aim leaves out. Those are listed apart.
 */
export function platformProcesses(state) {
  const threads = Object.entries(state.children).filter(([, child]) => child.thread).map(([name]) => name);
  const childPids = new Set(Object.values(state.children).map((child) => child.pid).filter(Boolean));
  // What the supervisor's threads spawned (the runner's action processes; a migration while a thread restarts).
  const spawnedByThreads = childrenOf(state.pid).filter((pid) => !childPids.has(pid));
  const actionRoots = spawnedByThreads.filter(isActionProcess);
  const supervisorPids = [state.pid, ...spawnedByThreads.filter((pid) => !actionRoots.includes(pid)).flatMap(treeOf)];
  const parts = [{ name: threads.length > 0 ? `supervisor (threads: ${threads.join(', ')})` : 'supervisor', pids: supervisorPids, ...totalOf(supervisorPids.map(memoryOf)) }];
  const actions = actionRoots.flatMap(treeOf).map((pid) => ({ ...memoryOf(pid), command: commandLineOf(pid).slice(0, 160) }));
  for (const [name, child] of Object.entries(state.children)) {
    if (child.thread) continue;
    if (!child.pid) throw new Error(`${name} has no process (${child.status}): is the instance healthy? (make status)`);
    const [own, ...spawned] = treeOf(child.pid);
    const isRunner = name === 'runner';
    const counted = isRunner ? [own] : [own, ...spawned];
    parts.push({ name, pids: counted, ...totalOf(counted.map(memoryOf)) });
    if (isRunner) actions.push(...spawned.map((pid) => ({ ...memoryOf(pid), command: commandLineOf(pid).slice(0, 160) })));
  }
  // adm marks every process it starts (TRELLIS_SUPERVISED_BY=<state file>): one found that way
  // and in no tree above (re-parented when its parent died) counts too.
  const seen = new Set([state.pid, ...parts.flatMap((p) => p.pids ?? []), ...actions.map((a) => a.pid)]);
  const strays = processesWithEnv('TRELLIS_SUPERVISED_BY', path.join(stateDir, 'state.json')).filter((pid) => !seen.has(pid) && pid !== process.pid);
  if (strays.length > 0) parts.push({ name: 'other marked processes', pids: strays, ...totalOf(strays.map(memoryOf)) });
  return { parts, actions };
}

/** The platform's memory now, without scaling anything (action processes still excluded): what the n8n script reads 2 s after its load. */
export function memoryNow() {
  const state = runningState();
  if (!state) throw new Error('the instance is not running');
  const { parts, actions } = platformProcesses(state);
  const total = totalOf(parts);
  return {
    totalRssMb: megabytes(total.rssKb),
    totalPssMb: megabytes(total.pssKb),
    parts: parts.map((p) => ({ name: p.name, rssMb: megabytes(p.rssKb) })),
    excludedActionProcessesRssMb: megabytes(totalOf(actions).rssKb),
  };
}

/** The runner's action processes still alive (children of the supervisor when the runner is one of its threads). */
function actionProcesses(state) {
  const runner = state.children.runner;
  if (runner?.thread) return childrenOf(state.pid).filter(isActionProcess);
  return runner?.pid ? treeOf(runner.pid).slice(1) : [];
}

/**
 * Idle memory of the whole local platform: action processes scaled to zero (and gone), `settleMs`
 * of quiet, then `samples` readings 1 s apart; the median total is the figure.
 */
export async function idleMemory(base, { settleMs = 5_000, samples = 3 } = {}) {
  const state = runningState();
  if (!state) throw new Error('the instance is not running');
  const deployments = await scaleEverythingToZero(base, await login(base));
  const end = Date.now() + 30_000;
  while (actionProcesses(state).length > 0 && Date.now() < end) await sleep(250);
  await sleep(settleMs);
  const readings = [];
  for (let i = 0; i < samples; i++) {
    if (i > 0) await sleep(1_000);
    readings.push(platformProcesses(state));
  }
  const totals = readings.map((r) => totalOf(r.parts));
  const median = readings[totals.map((t, i) => [t.rssKb, i]).sort((a, b) => a[0] - b[0])[Math.floor(samples / 2)][1]];
  const total = totalOf(median.parts);
  return {
    method: `sum of VmRSS (and Pss) from /proc of the supervisor (with the children it runs in threads), each child run as a process and what it spawned, the runner's action processes excluded; ${deployments} deployments scaled to zero, ${settleMs / 1000} s of idle, median of ${samples} readings 1 s apart`,
    totalRssMb: megabytes(total.rssKb),
    totalPssMb: megabytes(total.pssKb),
    parts: median.parts.map((p) => ({ name: p.name, processes: p.pids?.length ?? 1, rssMb: megabytes(p.rssKb), pssMb: megabytes(p.pssKb) })),
    excludedActionProcesses: median.actions.map((a) => ({ pid: a.pid, command: a.command, rssMb: megabytes(a.rssKb) })),
    readingsRssMb: totals.map((t) => megabytes(t.rssKb)),
  };
}
