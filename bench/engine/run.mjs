// npm run bench:engine — where the time per step goes in the runner's engine (issue 13).
//
// Drives the built runner engine (services/runner/dist, wired as start-runner wires it) against a
// throwaway Postgres database and a real add-one wrapper process, with no gateway, HTTP trigger
// or broker in between. Runs chain-1 and chain-40 one run after the other (warm-up, then timed
// runs) and prints the wall time per run and per step, the CPU per step of the runner (this
// process), of the wrapper and of Postgres, and the statements per step; then runs chain-40 again
// under the V8 profiler (node:inspector, in this process) and prints the runner's CPU per step
// by category. Exits 0 when it measured, 1 when something failed; it drops its database and
// stops the wrapper either way.
//
// Environment: BENCH_RUNS_1 (timed chain-1 runs, default 300), BENCH_RUNS_40 (default 60),
// BENCH_PROFILE_RUNS (chain-40 runs profiled, default 40), BENCH_CPU_PROFILE (a file: the
// .cpuprofile is written there, for DevTools), BENCH_JSON (a file: the figures as JSON),
// BENCH_BASELINE_DIST (another build of services/runner/dist, copied under the checkout: it is
// measured too, in turn with this one in each round, for a before/after on the same load),
// BENCH_ROUNDS (default 1, or 3 with a baseline).
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Session } from 'node:inspector/promises';
import pg from 'pg';
import { breakdown } from './profile.mjs';
import { createDatabase, deployChains, loadBuilt, makeWorkDir, prepareAction, RUNNER_DIST, startEngine } from './setup.mjs';

const count = (name, fallback) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, not ${process.env[name]}`);
  return value;
};
const config = {
  chains: [
    { length: 1, warmup: 50, runs: count('BENCH_RUNS_1', 300) },
    { length: 40, warmup: 8, runs: count('BENCH_RUNS_40', 60) },
  ],
  profileRuns: count('BENCH_PROFILE_RUNS', 40),
};
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

const say = (line) => process.stderr.write(`bench:engine: ${line}\n`);
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** CPU (ms) a process has used, from /proc: utime + stime. */
function processCpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** A counter of the statements sent on each connection given to `count` (pg's client.query). */
function statementCounter() {
  const counter = {
    statements: 0,
    count: (client) => {
      const query = client.query.bind(client);
      client.query = (...args) => {
        counter.statements += 1;
        return query(...args);
      };
    },
  };
  return counter;
}

/** The CPU of this process, of the wrapper and of the database's backends, and the statements sent: read before and after. */
async function readCounters(context, variant) {
  const backends = await context.admin.query('select pid from pg_stat_activity where datname = $1 and application_name = $2', [context.database, variant.applicationName]);
  const postgres = backends.rows.reduce((sum, { pid }) => {
    try {
      return sum + processCpuMs(pid);
    } catch {
      return sum; // a backend that ended between the query and the read
    }
  }, 0);
  const cpu = process.cpuUsage();
  return {
    at: performance.now(), runnerMs: (cpu.user + cpu.system) / 1000, wrapperMs: processCpuMs(variant.wrapperPid()),
    postgresMs: postgres, statements: variant.counter.statements,
  };
}

/** Starts one run of the chain and waits for its end; throws unless it answered n + length. */
async function runChain(engine, deployment, length, n) {
  const started = await engine.start({ projectId: deployment.projectId, workflowId: deployment.workflows.get(length), triggerType: 'http', triggerOutputs: { n }, traceId: 'bench' });
  if (!started.ok) throw new Error(`chain-${length} was refused: ${started.error.type}`);
  const end = await started.value.finished;
  if (end.status !== 'succeeded' || end.results?.n !== n + length) throw new Error(`chain-${length} answered ${JSON.stringify(end)} for n = ${n}`);
}

/** Runs the chain `runs` times one after the other; the duration (ms) of each. */
async function timedRuns(engine, deployment, length, runs) {
  const durations = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await runChain(engine, deployment, length, i);
    durations.push(performance.now() - t0);
  }
  return durations.sort((a, b) => a - b);
}

async function measureChain(context, variant, chain) {
  const { engine } = variant;
  const { deployment } = context;
  for (let i = 0; i < chain.warmup; i++) await runChain(engine, deployment, chain.length, i);
  const before = await readCounters(context, variant);
  const durations = await timedRuns(engine, deployment, chain.length, chain.runs);
  const after = await readCounters(context, variant);
  const steps = chain.length * chain.runs;
  const perStep = (field) => (after[field] - before[field]) / steps;
  return {
    length: chain.length, runs: chain.runs,
    p50Ms: percentile(durations, 50), p95Ms: percentile(durations, 95), minMs: durations[0],
    wallMsPerStep: (after.at - before.at) / steps,
    cpuMsPerStep: { runner: perStep('runnerMs'), wrapper: perStep('wrapperMs'), postgres: perStep('postgresMs') },
    statementsPerStep: perStep('statements'),
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

/** One figure per field: the median over the rounds (each round measured every variant once, in turn). */
function medianOfRounds(rounds) {
  const pick = (read) => median(rounds.map(read));
  const first = rounds[0];
  return {
    length: first.length, runs: first.runs, rounds: rounds.length,
    p50Ms: pick((r) => r.p50Ms), p95Ms: pick((r) => r.p95Ms), minMs: pick((r) => r.minMs), wallMsPerStep: pick((r) => r.wallMsPerStep),
    cpuMsPerStep: { runner: pick((r) => r.cpuMsPerStep.runner), wrapper: pick((r) => r.cpuMsPerStep.wrapper), postgres: pick((r) => r.cpuMsPerStep.postgres) },
    statementsPerStep: pick((r) => r.statementsPerStep),
    p50MsByRound: rounds.map((r) => r.p50Ms),
  };
}

/** The variants in the order of a round: reversed every other round, so that a machine getting faster or slower favours neither. */
const inTurn = (variants, round) => (round % 2 === 1 ? variants : [...variants].reverse());

/** A profile's URLs of another build of the runner read as this build's, so that its frames fall in the same categories. */
function asThisBuild(profile, runnerDist) {
  if (runnerDist === RUNNER_DIST) return profile;
  const from = pathToFileURL(runnerDist).href;
  const to = pathToFileURL(RUNNER_DIST).href;
  const nodes = profile.nodes.map((node) => (node.callFrame.url.startsWith(from) ? { ...node, callFrame: { ...node.callFrame, url: to + node.callFrame.url.slice(from.length) } } : node));
  return { ...profile, nodes };
}

/**
 * chain-40 again under the V8 profiler (this process only, `runs` runs of each variant in turn
 * `rounds` times, a profile per variant), and each variant's CPU by category.
 */
async function profileChains(context, variants, runs, rounds) {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    const profiles = new Map(variants.map((variant) => [variant.name, []]));
    const durations = new Map(variants.map((variant) => [variant.name, []]));
    for (let round = 1; round <= rounds; round++) {
      for (const variant of inTurn(variants, round)) {
        await session.post('Profiler.start');
        durations.get(variant.name).push(...await timedRuns(variant.engine, context.deployment, 40, runs));
        const { profile } = await session.post('Profiler.stop');
        profiles.get(variant.name).push(asThisBuild(profile, variant.runnerDist));
      }
    }
    if (process.env.BENCH_CPU_PROFILE) writeFileSync(process.env.BENCH_CPU_PROFILE, JSON.stringify(profiles.get(variants.at(-1).name)[0]));
    return variants.map((variant) => ({
      name: variant.name, runs: runs * rounds, p50Ms: percentile(durations.get(variant.name).sort((a, b) => a - b), 50),
      ...breakdown(profiles.get(variant.name), runs * rounds * 40),
    }));
  } finally {
    session.disconnect();
  }
}

const fixed = (value, digits = 2) => value.toFixed(digits);

function chainLines(name, chains) {
  const [one, forty] = chains;
  return [
    ...chains.map((c) => `${name.padEnd(9)} chain-${String(c.length).padEnd(3)} ${String(c.runs).padStart(5)} ${fixed(c.p50Ms).padStart(8)} ${fixed(c.p95Ms).padStart(8)} ${fixed(c.wallMsPerStep, 3).padStart(10)} ${fixed(c.cpuMsPerStep.runner, 3).padStart(13)} ${fixed(c.cpuMsPerStep.wrapper, 3).padStart(8)} ${fixed(c.cpuMsPerStep.postgres, 3).padStart(9)} ${fixed(c.statementsPerStep, 2).padStart(11)}   ${c.p50MsByRound.map((p) => fixed(p, 1)).join(' ')}`),
    `${name.padEnd(9)} per-step overhead p50 (chain-40 p50 - chain-1 p50) / 39: ${fixed((forty.p50Ms - one.p50Ms) / 39, 3)} ms; runner idle during chain-40: ${fixed(100 * (1 - forty.cpuMsPerStep.runner / forty.wallMsPerStep), 0)}% of the wall time`,
  ];
}

function printProfiles(profiles) {
  const names = profiles.map((profile) => profile.name);
  const cells = (read) => profiles.map((profile) => read(profile)).join('');
  const row = (category) => (profile) => {
    const found = profile.categories.find((c) => c.name === category);
    return `${fixed(found.msPerStep, 3).padStart(10)} ${fixed(100 * found.share, 1).padStart(5)}%`;
  };
  return [
    `runner CPU per chain-40 step under the V8 profiler (main thread, self time; ${profiles[0].runs} runs of each, p50 with the profiler on: ${profiles.map((p) => `${p.name} ${fixed(p.p50Ms)} ms`).join(', ')}):`,
    `${'category'.padEnd(36)}${names.map((name) => `${name.padStart(10)} share `).join('')}`,
    ...profiles[0].categories.map((c) => `${c.name.padEnd(36)}${cells(row(c.name))}`),
    `${'total'.padEnd(36)}${cells((profile) => `${fixed(profile.cpuMsPerStep, 3).padStart(10)}       `)}`,
    '',
    `busiest functions of ${profiles.at(-1).name} (self time):`,
    ...profiles.at(-1).functions.slice(0, 15).map((f) => `  ${fixed(f.msPerStep, 3).padStart(7)} ms/step ${fixed(100 * f.share, 1).padStart(5)}%  ${f.name}`),
  ];
}

function printFigures(results) {
  const lines = [
    `bench:engine  ${results.at}  commit ${results.commit}  ${results.node}  load average before ${results.loadBefore.map((l) => fixed(l)).join(' ')}, after ${results.loadAfter.map((l) => fixed(l)).join(' ')}`,
    `(${results.rounds} round${results.rounds > 1 ? 's' : ''}${results.variants.length > 1 ? ', the variants in turn in each, in reverse order every other round' : ''}; each figure the median of the rounds)`,
    '',
    'variant   workflow   runs   p50 ms   p95 ms  wall ms/   CPU ms/step:  wrapper  postgres  statements   p50 by round',
    '                                                  step         runner                         /step',
    ...results.variants.flatMap((variant) => chainLines(variant.name, variant.chains)),
    '',
    ...printProfiles(results.profiles),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function commitOf() {
  try {
    const head = readFileSync(new URL('../../.git/HEAD', import.meta.url), 'utf8').trim();
    const ref = head.startsWith('ref: ') ? readFileSync(new URL(`../../.git/${head.slice(5)}`, import.meta.url), 'utf8').trim() : head;
    return ref.slice(0, 7);
  } catch {
    return 'unknown';
  }
}

/** An engine of one build of the runner, with its own pool (and statement counter), local site and wrapper process. */
async function startVariant(name, built, database, workDir, action, deploymentOf) {
  const counter = statementCounter();
  const applicationName = `bench-engine-${name}`;
  const started = await startEngine(built, database.url, workDir, counter.count, applicationName);
  const deployment = await deploymentOf(started.db);
  const ref = { projectId: deployment.projectId, actionId: action.actionId, version: action.version, digest: action.digest };
  return { name, runnerDist: built.runnerDist, engine: started.engine, stop: started.stop, counter, applicationName, wrapperPid: () => started.site.pidOf(ref) };
}

async function main() {
  const baselineDist = process.env.BENCH_BASELINE_DIST;
  const rounds = count('BENCH_ROUNDS', baselineDist ? 3 : 1);
  const builds = [...(baselineDist ? [['baseline', await loadBuilt(path.resolve(baselineDist))]] : []), ['current', await loadBuilt()]];
  const cleanups = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error) => say(`cleaning up: ${error.message}`));
  };
  const interrupted = (why) => () => {
    say(`${why}; cleaning up`);
    void cleanUp().finally(() => process.exit(1));
  };
  process.once('SIGINT', interrupted('interrupted'));
  process.once('SIGTERM', interrupted('interrupted'));
  setTimeout(interrupted('FAILED: still running after 15 minutes'), 15 * 60_000).unref();
  try {
    const loadBefore = loadavg();
    const work = await makeWorkDir();
    cleanups.push(work.remove);
    say('building add-one and a database');
    const current = builds.at(-1)[1];
    const [action, database] = await Promise.all([prepareAction(current, 'examples/actions/add-one', work.dir), createDatabase(current)]);
    cleanups.push(database.drop);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    cleanups.push(() => admin.end());
    // One project and its workflows for every variant: deployed once, by the first.
    let deployed;
    const deploymentOf = async (db) => (deployed ??= deployChains(db, action, config.chains.map((chain) => chain.length)));
    const variants = [];
    for (const [name, built] of builds) {
      const variant = await startVariant(name, built, database, work.dir, action, deploymentOf);
      cleanups.push(variant.stop);
      variants.push(variant);
    }
    const context = { deployment: await deployed, admin, database: database.name };
    const measured = new Map(variants.map((variant) => [variant.name, config.chains.map(() => [])]));
    for (let round = 1; round <= rounds; round++) {
      for (const variant of inTurn(variants, round)) {
        for (const [i, chain] of config.chains.entries()) {
          say(`round ${round}/${rounds}, ${variant.name}, chain-${chain.length}: ${chain.warmup} warm-up runs, then ${chain.runs}`);
          measured.get(variant.name)[i].push(await measureChain(context, variant, chain));
        }
      }
    }
    say(`chain-40 under the profiler: ${config.profileRuns} runs of each variant, ${rounds} time(s)`);
    const profiles = await profileChains(context, variants, config.profileRuns, rounds);
    const results = {
      at: new Date().toISOString(), commit: commitOf(), node: process.version, loadBefore, loadAfter: loadavg(), rounds,
      variants: variants.map((variant) => ({ name: variant.name, chains: measured.get(variant.name).map(medianOfRounds) })),
      profiles: profiles.map((profile) => ({ ...profile, functions: profile.functions.slice(0, 40) })),
    };
    printFigures(results);
    if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(results, null, 2));
  } finally {
    await cleanUp();
  }
}

main().then(() => process.exit(0), (error) => {
  say(`FAILED: ${error.stack ?? error.message}`);
  process.exit(1);
});
