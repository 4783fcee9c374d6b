// n8n, the peer: its own script (shared/peers/n8n/run-n8n-bench.sh), called from its folder. It
// installs n8n once (minutes), starts it, times the first webhook, reads its RSS at idle, loads
// it and stops it, then prints a summary JSON on stdout. Nothing of n8n is in this repository.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { track } from './children.mjs';

/** Where the script is: N8N_PEER_DIR, else shared/peers/n8n beside the checkout (../shared from /work/main). */
export function peerScript() {
  const candidates = [
    process.env.N8N_PEER_DIR,
    path.resolve(import.meta.dirname, '../../../shared/peers/n8n'),
    '/work/shared/peers/n8n',
  ].filter(Boolean);
  const dir = candidates.find((candidate) => existsSync(path.join(candidate, 'run-n8n-bench.sh')));
  if (!dir) throw new Error(`run-n8n-bench.sh not found in ${candidates.join(' or ')}: set N8N_PEER_DIR, or BENCH_PEER=0 to leave n8n out`);
  return path.join(dir, 'run-n8n-bench.sh');
}

/** Whether something accepts connections on 127.0.0.1:port. */
export function listening(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** What shows progress while the script is quiet: packages installed so far, the newest log's last line. */
function progressOf(workDir) {
  const count = (dir) => {
    try {
      return readdirSync(dir).length;
    } catch {
      return 0;
    }
  };
  let last = 'no log yet';
  try {
    const logs = path.join(workDir, 'logs');
    const newest = readdirSync(logs).map((name) => path.join(logs, name)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
    last = `${path.basename(newest)}: ${readFileSync(newest, 'utf8').trim().split('\n').at(-1).slice(0, 120) || '(empty so far)'}`;
  } catch {
    // no log yet
  }
  return `${count(path.join(workDir, 'install/node_modules'))} entries in install/node_modules; ${last}`;
}

const workDir = () => process.env.WORK_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'trellis-peers/n8n');

/**
 * Runs the n8n script with `env`; its progress goes to our stderr, with a line every 30 s while
 * it is quiet (the install takes minutes). Resolves with its summary JSON (stdout).
 */
async function runScript(env) {
  const script = peerScript();
  const started = Date.now();
  let quietSince = Date.now();
  const stdout = [];
  // Its own process group: a signal to the group reaches n8n and its task runner too.
  const child = track(spawn('bash', [script], { cwd: path.dirname(script), env: { ...process.env, WORK_DIR: workDir(), ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true }), { group: true });
  child.stdout.on('data', (chunk) => stdout.push(chunk));
  child.stderr.on('data', (chunk) => {
    quietSince = Date.now();
    process.stderr.write(chunk);
  });
  const heartbeat = setInterval(() => {
    if (Date.now() - quietSince < 30_000) return;
    quietSince = Date.now();
    process.stderr.write(`compare: n8n still working (${Math.round((Date.now() - started) / 1000)} s; ${progressOf(workDir())})\n`);
  }, 5_000);
  try {
    const code = await new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode, signal) => resolve(exitCode ?? signal));
    });
    if (code !== 0) throw new Error(`run-n8n-bench.sh exited with ${code} (logs in ${workDir()}/logs)`);
  } finally {
    clearInterval(heartbeat);
  }
  const text = Buffer.concat(stdout).toString();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`run-n8n-bench.sh printed no summary JSON: ${text.slice(0, 300)}`);
  }
}

/**
 * Installs n8n when it is not yet (the script with no configuration to measure: it installs and
 * stops), so that neither system is measured right after minutes of npm install.
 */
export async function installPeer() {
  await runScript({ CONFIGS: ' ' });
}

/** The measurement: CONFIGS=true:legacy (n8n's fastest configuration here) with our counts. */
export async function runPeer({ warmups, sequential, concurrent, concurrency, port }) {
  if (await listening(port)) throw new Error(`something already listens on 127.0.0.1:${port} (another n8n?): stop it, or set N8N_PORT`);
  return runScript({ CONFIGS: 'true:legacy', WARMUPS: String(warmups), SEQ: String(sequential), TOTAL: String(concurrent), CONC: String(concurrency), PORT: String(port) });
}
