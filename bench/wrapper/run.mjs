// npm run bench:wrapper — the cost of the action wrapper over a bare grpc-js server.
//
// Starts, one after the other, a bare grpc-js echo server, the wrapper on a no-op Node action and
// the wrapper on a no-op Python action, each as its own process, and drives each from this process
// through a real grpc-js client: warm-up, latency of one call at concurrency 1, then calls per
// second at concurrency 1 and 16. Prints a table and the ratios against the aims of issue 4, and
// writes the figures to bench/wrapper/results/last-run.json. Exits 0 when the aims are missed (it
// reports), 1 when something failed.
//
// Environment: BENCH_WARMUP_SECONDS (per server, default 4), BENCH_CALLS (latency calls, default 3000),
// BENCH_SECONDS (per throughput run, default 5), BENCH_CPU_PROF (a folder: the servers run with
// --cpu-prof and write their profiles there).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { credentials, makeGenericClientConstructor } from '@grpc/grpc-js';
import { echoService } from './echo-service.mjs';
import { countCalls, sampleLatency, summarize } from './measure.mjs';
import { startServer } from './servers.mjs';

const here = import.meta.dirname;
const root = path.resolve(here, '../..');
const wrapperCli = path.join(root, 'packages/action-wrapper/dist/cli.js');
const pbModule = path.join(root, 'packages/action-wrapper/dist/infrastructure/pb/action/v1/action.js');

const config = {
  warmupSeconds: Number(process.env.BENCH_WARMUP_SECONDS ?? 4),
  calls: Number(process.env.BENCH_CALLS ?? 3000),
  seconds: Number(process.env.BENCH_SECONDS ?? 5),
  concurrency: [1, 16],
  rounds: 5,
};
const aims = { nodeP50Ratio: 1.5, pythonP50ExtraMs: 0.5 };
const cpuProf = process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined;

const watchdog = setTimeout(() => {
  process.stderr.write('bench: FAILED: still running after 5 minutes; a server stopped answering?\n');
  process.exit(1);
}, 5 * 60_000);

function build() {
  if (existsSync(wrapperCli) && existsSync(pbModule)) return;
  process.stderr.write('bench: building the workspace (npx tsc -b)...\n');
  if (!existsSync(path.join(root, 'packages/action-wrapper/src/infrastructure/pb'))) {
    execFileSync('npm', ['run', 'protos:gen'], { cwd: root, stdio: 'inherit' });
  }
  execFileSync('npx', ['tsc', '-b'], { cwd: root, stdio: 'inherit' });
}

const targets = [
  { name: 'echo', args: [path.join(here, 'echo-server.mjs')] },
  { name: 'node', args: [wrapperCli, path.join(here, 'actions/noop-node'), '--port', '0', '--concurrency', '16'] },
  { name: 'python', args: [wrapperCli, path.join(here, 'actions/noop-python'), '--port', '0', '--concurrency', '16'] },
];

/** A function making one call to the target, checking the answer is the no-op's `ok: true`. */
async function connect(target, port) {
  const address = `127.0.0.1:${port}`;
  let client;
  let unary;
  if (target.name === 'echo') {
    const EchoClient = makeGenericClientConstructor(echoService, 'trellis.bench.v1.Echo');
    client = new EchoClient(address, credentials.createInsecure());
    unary = promisify(client.echo).bind(client);
  } else {
    const pb = await import(pbModule);
    client = new pb.ActionServiceClient(address, credentials.createInsecure());
    const init = await promisify(client.init).bind(client)({ contractVersion: 'v1' });
    if (init.action?.runtime !== (target.name === 'node' ? 'nodejs' : 'python')) throw new Error(`${target.name}: unexpected Init answer ${JSON.stringify(init)}`);
    unary = promisify(client.run).bind(client);
  }
  let n = 0;
  const call = async () => {
    const executionId = `bench-${++n}`;
    const response = await unary({ executionId, idempotencyKey: executionId, attempt: 1, inputs: {}, outputUrls: {}, timeoutMs: 0 });
    if (response.error || response.executionId !== executionId || response.outputs.ok?.kind?.booleanValue !== true) {
      throw new Error(`${target.name}: unexpected Run answer ${JSON.stringify(response)}`);
    }
  };
  return { call, close: () => client.close() };
}

/**
 * Measures every target, interleaved: the latency calls and the throughput seconds are cut into
 * rounds that visit echo, Node and Python in turn, so a slow patch of a shared machine weighs on
 * all three alike instead of on whichever ran at the time.
 */
async function measureAll() {
  const running = [];
  try {
    for (const target of targets) {
      const nodeOptions = cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`, `--cpu-prof-name=${target.name}.cpuprofile`] : [];
      const server = await startServer(target.name, target.args, { nodeOptions });
      running.push({ target, server, ...(await connect(target, server.port)) });
    }
    process.stderr.write('bench: warming up...\n');
    // Until the JIT of client and server settles: a few thousand calls, at both concurrencies.
    for (const { call } of running) for (const c of config.concurrency) await countCalls(call, c, config.warmupSeconds / config.concurrency.length);
    process.stderr.write('bench: latency...\n');
    const samples = new Map(running.map(({ target }) => [target.name, []]));
    for (let round = 0; round < config.rounds; round++) {
      for (const { target, call } of running) samples.get(target.name).push(...(await sampleLatency(call, Math.ceil(config.calls / config.rounds))));
    }
    const results = Object.fromEntries(running.map(({ target }) => [target.name, { latency: summarize(samples.get(target.name)), throughput: {} }]));
    for (const c of config.concurrency) {
      process.stderr.write(`bench: throughput at c=${c}...\n`);
      const totals = new Map(running.map(({ target }) => [target.name, { calls: 0, seconds: 0 }]));
      for (let round = 0; round < config.rounds; round++) {
        for (const { target, call } of running) {
          const slice = await countCalls(call, c, config.seconds / config.rounds);
          const total = totals.get(target.name);
          total.calls += slice.calls;
          total.seconds += slice.seconds;
        }
      }
      for (const [name, { calls, seconds }] of totals) results[name].throughput[c] = { callsPerSecond: calls / seconds, calls, seconds };
    }
    return results;
  } finally {
    for (const { close } of running) close();
    await Promise.all(running.map(({ server }) => server.stop()));
  }
}

function verdicts(results) {
  const { echo, node, python } = results;
  const perSecond = (name, c) => results[name].throughput[c].callsPerSecond / echo.throughput[c].callsPerSecond;
  return {
    nodeP50Ratio: node.latency.p50 / echo.latency.p50,
    pythonP50ExtraMs: python.latency.p50 - echo.latency.p50,
    nodeP99Ratio: node.latency.p99 / echo.latency.p99,
    pythonP99ExtraMs: python.latency.p99 - echo.latency.p99,
    throughputVsEcho: Object.fromEntries(
      config.concurrency.flatMap((c) => [[`node c=${c}`, perSecond('node', c)], [`python c=${c}`, perSecond('python', c)]]),
    ),
  };
}

function print(results, ratios) {
  const names = targets.map((t) => t.name);
  const row = (label, cells) => `${label.padEnd(22)}${cells.map((c) => c.padStart(11)).join('')}`;
  const f = (x, digits = 3) => x.toFixed(digits);
  const lines = [
    row('', names),
    row('latency p50 (ms)', names.map((n) => f(results[n].latency.p50))),
    row('latency p90 (ms)', names.map((n) => f(results[n].latency.p90))),
    row('latency p99 (ms)', names.map((n) => f(results[n].latency.p99))),
    row('latency mean (ms)', names.map((n) => f(results[n].latency.mean))),
    ...config.concurrency.map((c) => row(`calls/s at c=${c}`, names.map((n) => f(results[n].throughput[c].callsPerSecond, 0)))),
    '',
    `Node p50 / echo p50      ${f(ratios.nodeP50Ratio, 2)}x     aim <= ${aims.nodeP50Ratio}x     ${ratios.nodeP50Ratio <= aims.nodeP50Ratio ? 'PASS' : 'MISS'}`,
    `Python p50 - echo p50    ${f(ratios.pythonP50ExtraMs)} ms  aim <= ${aims.pythonP50ExtraMs} ms   ${ratios.pythonP50ExtraMs <= aims.pythonP50ExtraMs ? 'PASS' : 'MISS'}`,
    `Node p99 / echo p99      ${f(ratios.nodeP99Ratio, 2)}x     (no aim)`,
    `Python p99 - echo p99    ${f(ratios.pythonP99ExtraMs)} ms  (no aim)`,
    ...Object.entries(ratios.throughputVsEcho).map(([k, x]) => `calls/s ${k.padEnd(13)} ${f(x, 2)}x of echo (no aim)`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main() {
  build();
  const python = execFileSync('python3', ['--version'], { encoding: 'utf8' }).trim();
  const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, python };
  process.stdout.write(
    `bench/wrapper: ${machine.cpus} x ${machine.cpu}, node ${machine.node}, ${python}\n` +
      `warm-up ${config.warmupSeconds} s, latency over ${config.calls} calls at c=1, throughput ${config.seconds} s at c=${config.concurrency.join(' and c=')}\n\n`,
  );
  const results = await measureAll();
  const ratios = verdicts(results);
  print(results, ratios);
  const pass = { nodeP50: ratios.nodeP50Ratio <= aims.nodeP50Ratio, pythonP50: ratios.pythonP50ExtraMs <= aims.pythonP50ExtraMs };
  const file = path.join(here, 'results/last-run.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), machine, config, aims, results, ratios, pass }, null, 2)}\n`);
  process.stdout.write(`\nfigures written to ${path.relative(root, file)}\n`);
}

main().then(
  () => {
    clearTimeout(watchdog);
  },
  (error) => {
    process.stderr.write(`bench: FAILED: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
