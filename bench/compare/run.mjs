// npm run bench:compare — Trellis and n8n side by side, one after the other in one run, on this
// machine (issue 13). See bench/compare/README.md.
//
// 1. the load average before; n8n installed unless it is (the peer's script, once, minutes);
// 2. Trellis: chain-1 deployed (bench:platform's own setup), then `make down` and a timed `make
//    up` until chain-1's HTTP trigger answers right; idle RSS of the whole platform (actions
//    scaled to zero); bench:platform's load with the n8n script's counts;
// 3. n8n: its script (CONFIGS=true:legacy), Trellis stopped meanwhile so each system runs alone
//    (with BENCH_WAIT_LOAD, a quiet machine waited for before each system);
// 4. Trellis left as it was found (up if it was up), the load average after;
// 5. one table with ratios and aims on stdout; everything saved in bench/results/<date>-compare.{json,txt}.
//
// Exits 0 when aims are missed (they are printed), 1 when something broke.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stopAll } from './children.mjs';
import { compareRows, formatTable, peerFigures, peerProblems, trellisFigures } from './figures.mjs';
import { firstAnsweredTrigger, idleMemory, make, memoryNow, runningState } from './instance.mjs';
import { installPeer, listening, runPeer } from './peer.mjs';
import { deployChainOne, platformLoad } from './platform.mjs';

const root = path.resolve(import.meta.dirname, '../..');
const settings = {
  base: (process.env.TRELLIS_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, ''),
  project: process.env.TRELLIS_PROJECT ?? 'default',
  peer: process.env.BENCH_PEER !== '0',
  startup: process.env.BENCH_STARTUP !== '0',
  warmups: 5,
  concurrency: 10,
  sequential: Number(process.env.BENCH_SEQUENTIAL ?? 50),
  concurrent: Number(process.env.BENCH_CONCURRENT ?? 200),
  coldStarts: Number(process.env.BENCH_COLD_STARTS ?? 5),
  // The n8n script reads its RSS 5 s after its first webhook answered: the same by default.
  idleS: Number(process.env.BENCH_IDLE_S ?? 5),
  // The n8n script loads n8n through fetch: Trellis gets the same client (bench:platform alone uses node:http).
  client: process.env.BENCH_CLIENT ?? 'fetch',
  peerPort: Number(process.env.N8N_PORT ?? 5678),
  quietLoad: process.env.BENCH_WAIT_LOAD === undefined ? undefined : Number(process.env.BENCH_WAIT_LOAD),
  quietWaitS: Number(process.env.BENCH_WAIT_MAX_S ?? 600),
  resultsDir: path.resolve(process.env.BENCH_RESULTS_DIR ?? path.join(root, 'bench/results')),
};

/** A knob that is not a number, or a client we do not have, stops the run before anything starts. */
function checkSettings() {
  const numbers = ['sequential', 'concurrent', 'coldStarts', 'idleS', 'peerPort', 'quietWaitS', ...(settings.quietLoad === undefined ? [] : ['quietLoad'])];
  const bad = numbers.filter((key) => !Number.isFinite(settings[key]) || settings[key] < 0);
  if (settings.sequential < 1 || settings.concurrent < 1) bad.push('sequential and concurrent (at least 1)');
  if (!['fetch', 'http'].includes(settings.client)) bad.push('client (BENCH_CLIENT: fetch or http)');
  if (bad.length > 0) throw new Error(`bad settings: ${bad.join(', ')} (see bench/compare/README.md)`);
}

const log = (text) => process.stderr.write(`compare: ${text}\n`);
const loadAverage = () => os.loadavg().map((value) => Number(value.toFixed(2)));
const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();

function machine() {
  return { hostname: os.hostname(), cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Number((os.totalmem() / 2 ** 30).toFixed(1)), kernel: os.release(), node: process.version };
}

/**
 * With BENCH_WAIT_LOAD set: waits until the 1-minute load average is under it (these machines are
 * shared), at most BENCH_WAIT_MAX_S; then measures anyway, and says so.
 */
async function waitForQuiet() {
  if (settings.quietLoad === undefined) return;
  const end = Date.now() + settings.quietWaitS * 1000;
  while (os.loadavg()[0] >= settings.quietLoad && Date.now() < end) {
    log(`waiting for a quieter machine: load ${os.loadavg()[0].toFixed(2)} >= ${settings.quietLoad}...`);
    await new Promise((resolve) => setTimeout(resolve, 15_000));
  }
  if (os.loadavg()[0] >= settings.quietLoad) log(`measuring anyway: the load stayed at or above ${settings.quietLoad} for ${settings.quietWaitS} s`);
}

/** `make down`, then `make up` timed until chain-1's trigger answers right: what a user waits on a warm machine. */
async function timedStart() {
  // Warm: the checkout already built (as after any make up), so the timed start rebuilds nothing.
  log('startup: make build (untimed), make down, then timing make up until chain-1 answers...');
  await make('build');
  await make('down');
  const start = performance.now();
  const answered = firstAnsweredTrigger(settings.base, settings.project, 300_000);
  answered.catch(() => {}); // awaited below; a failed make up must not leave it unhandled meanwhile
  const phases = await make('up');
  const madeUpMs = performance.now() - start;
  const firstAnswerMs = (await answered) - start;
  log(`startup: make up returned after ${(madeUpMs / 1000).toFixed(1)} s, first answered trigger after ${(firstAnswerMs / 1000).toFixed(1)} s`);
  return { makeUpMs: Math.round(madeUpMs), firstAnsweredTriggerMs: Math.round(firstAnswerMs), workflow: 'bench-chain-1 (one add-one step, its action cold-started by the first call)', phases };
}

async function measureTrellis(record) {
  log('Trellis: building add-one and deploying chain-1 (bench:platform setup)...');
  await deployChainOne();
  if (settings.startup) record.trellis.startup = await timedStart();
  log(`Trellis: idle memory (every deployment scaled to zero, ${settings.idleS} s of idle)...`);
  record.trellis.idle = await idleMemory(settings.base, { settleMs: settings.idleS * 1000 });
  log(`Trellis: idle RSS ${record.trellis.idle.totalRssMb} MB (${record.trellis.idle.parts.map((p) => `${p.name} ${p.rssMb}`).join(', ')})`);
  log(`Trellis: bench:platform with ${settings.warmups} warm-ups, ${settings.sequential} sequential, ${settings.concurrent} at c=${settings.concurrency}...`);
  record.trellis.platform = await platformLoad(settings);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  record.trellis.afterLoad = memoryNow();
}

async function measurePeer(record) {
  if (runningState()) {
    log('n8n runs alone: stopping Trellis meanwhile (make down)...');
    await make('down');
  }
  log('n8n: run-n8n-bench.sh with CONFIGS=true:legacy...');
  record.n8n = await runPeer({ ...settings, port: settings.peerPort });
  if (await listening(settings.peerPort)) throw new Error(`n8n still listens on ${settings.peerPort} after its script ended`);
}

/** Trellis as it was found: up if it was up, down if it was down. */
async function restore(wasUp) {
  const isUp = Boolean(runningState());
  if (wasUp && !isUp) {
    log('leaving Trellis up, as it was found (make up)...');
    await make('up');
  } else if (!wasUp && isUp) {
    log('leaving Trellis down, as it was found (make down)...');
    await make('down');
  }
}

function save(record, table) {
  mkdirSync(settings.resultsDir, { recursive: true });
  const stamp = record.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const base = path.join(settings.resultsDir, `${stamp}-compare`);
  writeFileSync(`${base}.json`, `${JSON.stringify({ ...record, table }, null, 2)}\n`);
  writeFileSync(`${base}.txt`, `${table}\n`);
  return base;
}

function header(record) {
  const figures = record.trellis.platform;
  return [
    `bench:compare ${record.date}, commit ${record.commit}${record.dirty ? ' (with uncommitted changes)' : ''}`,
    `machine: ${record.machine.cpus} x ${record.machine.cpuModel}, ${record.machine.memoryGb} GB, Node ${record.machine.node}`,
    `load average (1, 5, 15 min): before measuring ${record.loadAverage.before.join(' ')}${record.loadAverage.beforePeer ? `, before n8n ${record.loadAverage.beforePeer.join(' ')}` : ''}, after ${record.loadAverage.after.join(' ')} (at the start, before any install: ${record.loadAverage.atStart.join(' ')})`,
    `counts (both systems): ${settings.warmups} warm-ups, ${settings.sequential} sequential (p50, p95), ${settings.concurrent} at concurrency ${settings.concurrency} (runs/s); every answer checked; client: Trellis ${settings.client}, n8n fetch`,
    figures?.results.floor ? `floor (bare gRPC add-one p50, how busy the machine was): ${figures.results.floor.p50.toFixed(2)} ms` : undefined,
  ].filter(Boolean);
}

/** When make up's steps began, in a few words each (from its output lines), and when the last service was ready. */
function startupSteps(phases) {
  const steps = [
    ['infra checked', (line) => line.startsWith('trellis: PostgreSQL')],
    ['protos', (line) => line.startsWith('protos gen')],
    ['build', (line) => line === 'trellis: building'],
    ['web UI build', (line) => line.startsWith('vite ')],
    ['provisioning', (line) => line.startsWith('trellis: provisioning')],
    ['migrations', (line) => line.startsWith('trellis: migrating')],
    ['services starting', (line) => line.startsWith('trellis: starting')],
    ['last service ready', (line) => line.startsWith('- ') && line.endsWith(' ready'), 'last'],
  ];
  return steps.flatMap(([name, matches, which]) => {
    const found = phases.filter((p) => matches(p.line));
    const phase = which === 'last' ? found.at(-1) : found[0];
    return phase ? [`${name} ${(phase.atMs / 1000).toFixed(1)}`] : [];
  }).join(', ');
}

function footer(record, rows) {
  const lines = [
    '',
    'Trellis/n8n: < 1 is better for latency and memory, > 1 for runs/s. n8n per-step: (chain-40 p50 - chain-10 p50) / 30; Trellis: (chain-40 p50 - chain-1 p50) / 39.',
    "One-step at c=32 (Trellis only) goes through bench:platform's node:http client, whatever the client of the compared rows.",
  ];
  const startup = record.trellis.startup;
  if (startup) {
    lines.push(`Trellis start: make up returned after ${(startup.makeUpMs / 1000).toFixed(1)} s, chain-1 answered after ${(startup.firstAnsweredTriggerMs / 1000).toFixed(1)} s; make up's steps began at (s): ${startupSteps(startup.phases)}.`);
  }
  if (record.trellis.idle) lines.push(`Trellis idle RSS by part (MB): ${record.trellis.idle.parts.map((p) => `${p.name} ${p.rssMb}`).join(', ')}; PSS total ${record.trellis.idle.totalPssMb} MB.`);
  const run = record.n8n?.runs?.[0];
  if (record.trellis.afterLoad) lines.push(`Trellis RSS 2 s after its load: ${record.trellis.afterLoad.totalRssMb} MB (action processes apart: ${record.trellis.afterLoad.excludedActionProcessesRssMb} MB).`);
  if (run) lines.push(`n8n idle RSS: main ${run.rss_mb.idle_main} MB, with its task runner ${run.rss_mb.idle_total} MB; 2 s after its load ${run.rss_mb.after_load_total} MB.`);
  if (!record.n8n) lines.push('n8n not measured (BENCH_PEER=0).');
  const missed = rows.filter((row) => row.missed);
  lines.push(missed.length === 0 ? 'Every aim measured is met.' : `Missed aims (${missed.length}): ${missed.map((row) => `${row.figure} (${row.verdict.replace('MISSED: ', '')})`).join('; ')}.`);
  return lines;
}

async function main() {
  checkSettings();
  const wasUp = Boolean(runningState());
  const record = {
    date: new Date().toISOString(), commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--untracked-files=no') !== '',
    machine: machine(), loadAverage: { atStart: loadAverage() }, settings, trellis: {},
  };
  log(`load average at the start: ${record.loadAverage.atStart.join(' ')} (1, 5, 15 min); Trellis ${wasUp ? 'is up' : 'is down'}`);
  const stop = (signal) => {
    stopAll();
    log(`${signal}: stopped; Trellis is ${runningState() ? 'up' : 'down'} now, it was ${wasUp ? 'up' : 'down'} at the start (make up / make down)`);
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    if (settings.peer) {
      log('n8n: installing n8n 1.123.81 unless it is (first use: about 7 minutes), before anything is measured...');
      await installPeer();
    }
    if (!wasUp) {
      log('Trellis is down: make up...');
      await make('up');
    }
    await waitForQuiet();
    record.loadAverage.before = loadAverage();
    log(`load average before measuring: ${record.loadAverage.before.join(' ')}`);
    await measureTrellis(record);
    if (settings.peer) {
      await waitForQuiet();
      record.loadAverage.beforePeer = loadAverage();
      await measurePeer(record);
    }
    record.loadAverage.after = loadAverage(); // before the restore's make up or make down adds its own
  } finally {
    await restore(wasUp);
  }
  const trellis = trellisFigures(record.trellis.platform.results, record.trellis.idle?.totalRssMb, record.trellis.startup && record.trellis.startup.firstAnsweredTriggerMs / 1000);
  const run = record.n8n?.runs?.[0];
  const rows = compareRows(trellis, run && peerFigures(run));
  record.rows = rows;
  const problems = run ? peerProblems(run) : [];
  const table = [...header(record), '', formatTable(rows), ...footer(record, rows), ...problems.map((p) => `BROKEN: ${p}`)].join('\n');
  process.stdout.write(`\n${table}\n`);
  log(`saved ${path.relative(root, save(record, table))}.{json,txt}`);
  if (problems.length > 0) throw new Error('n8n gave wrong or failed answers: its figures do not count');
}

main().catch((error) => {
  process.stderr.write(`compare: FAILED: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
