// npm run bench:platform — what the platform adds per step, through the gateway and the sync
// HTTP trigger of a running `make up` instance (issue 11).
//
// Puts the example add-one action in a git repository made here, adds it as a source of the
// instance's `default` project, scans and builds it, imports chain-1, chain-10 and chain-40
// workflows (HTTP trigger, no auth) and deploys them; then, for each chain, 5 warm-up calls, 50
// sequential calls (p50, p95) and 200 calls at concurrency 10 (runs/s), every answer checked
// (n + length). Also: one-step runs/s at concurrency 32, the per-step overhead ((chain-40 p50 -
// chain-1 p50) / 39), the cold start of a scaled-to-zero action (the action's processes scaled to
// zero with POST /runner/deployments/{id}/scale-to-zero, then the first call timed end to end,
// beside the start the runner measured, BENCH_COLD_STARTS times), and the floor: a bare gRPC call
// to the same action's wrapper, started here. Prints each figure beside its aim, writes
// bench/platform/results/last-run.json. Exits 0 when aims are missed (it reports), 1 when
// something broke.
//
// Environment: TRELLIS_URL (default http://127.0.0.1:8080), TRELLIS_ADMIN_PASSWORD (default:
// .trellis/admin-password), TRELLIS_PROJECT (default `default`), BENCH_SEQUENTIAL (50),
// BENCH_CONCURRENT (200), BENCH_CHAINS (1,10,40), BENCH_COLD_STARTS (5), BENCH_CLIENT (http, or
// fetch as the n8n peer's load generator), BENCH_SETUP_ONLY (1: build
// and deploy, measure nothing; bench:compare uses it before timing a start), BENCH_RESULTS_FILE
// (default bench/platform/results/last-run.json).
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { credentials } from '@grpc/grpc-js';
import { sampleLatency, summarize } from '../wrapper/measure.mjs';
import { startServer } from '../wrapper/servers.mjs';

const here = import.meta.dirname;
const root = path.resolve(here, '../..');
const base = (process.env.TRELLIS_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const project = process.env.TRELLIS_PROJECT ?? 'default';
const sequential = Number(process.env.BENCH_SEQUENTIAL ?? 50);
const concurrent = Number(process.env.BENCH_CONCURRENT ?? 200);
const chains = (process.env.BENCH_CHAINS ?? '1,10,40').split(',').map(Number);
const fanout = process.env.BENCH_FANOUT !== '0';
const coldStarts = Number(process.env.BENCH_COLD_STARTS ?? 5);
const setupOnly = process.env.BENCH_SETUP_ONLY === '1';
const resultsFile = path.resolve(process.env.BENCH_RESULTS_FILE ?? path.join(here, 'results/last-run.json'));
const aims = { fanout100P50Ms: 80, perStepMs: 2.5, chain40P50Ms: 100, chain10RunsPerSecond: 50, oneStepRunsPerSecond: 500, coldStartMs: 300 };

const watchdog = setTimeout(() => fail('still running after 15 minutes'), 15 * 60_000);

function fail(why) {
  process.stderr.write(`bench: FAILED: ${why}\n`);
  process.exit(1);
}

const log = (text) => process.stderr.write(`bench: ${text}\n`);

async function api(method, route, { token, json, yaml } = {}) {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  let body;
  if (json !== undefined) [headers['content-type'], body] = ['application/json', JSON.stringify(json)];
  if (yaml !== undefined) [headers['content-type'], body] = ['application/yaml', yaml];
  const response = await fetch(`${base}${route}`, { method, headers, body });
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, text };
}

async function until(what, probe, accept, timeoutMs = 300_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > end) fail(`${what}: not after ${timeoutMs / 1000} s (last: ${JSON.stringify(value?.body ?? value).slice(0, 300)})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function adminPassword() {
  if (process.env.TRELLIS_ADMIN_PASSWORD) return process.env.TRELLIS_ADMIN_PASSWORD;
  const file = path.join(root, '.trellis/admin-password');
  if (!existsSync(file)) fail(`no ${file}: run \`make up\` first, or set TRELLIS_ADMIN_PASSWORD`);
  return readFileSync(file, 'utf8').trim();
}

/** A git repository holding examples/actions/add-one, as a user's would. */
function makeRepository() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'trellis-bench-'));
  cpSync(path.join(root, 'examples/actions/add-one'), path.join(dir, 'actions/add-one'), { recursive: true });
  const git = (...args) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.email=bench@trellis.dev', '-c', 'user.name=bench', 'add', '.');
  git('-c', 'user.email=bench@trellis.dev', '-c', 'user.name=bench', 'commit', '-q', '-m', 'add-one');
  return dir;
}

function chainYaml(length) {
  const steps = Array.from({ length }, (_, i) => [
    `  - id: s${i + 1}`,
    '    action: add-one',
    '    inputs:',
    `      n: \${{ ${i === 0 ? 'trigger.n' : `steps.s${i}.n`} }}`,
  ].join('\n'));
  return [
    'apiVersion: trellis.dev/v1', 'kind: Workflow', `name: bench-chain-${length}`,
    'trigger:', '  type: http', `  path: bench-chain-${length}`, '  timeout: 30s', '  auth: none',
    '  inputs:', '    - name: n', '      type: integer',
    'steps:', ...steps, 'results:', `  n: \${{ steps.s${length}.n }}`, '',
  ].join('\n');
}

/** fanout-100: one durable add-one step per item of a 100-item list (foreach, parallelism 16), the outputs gathered in order. */
const FANOUT_ITEMS = 100;
function fanoutYaml() {
  return [
    'apiVersion: trellis.dev/v1', 'kind: Workflow', 'name: bench-fanout-100',
    'trigger:', '  type: http', '  path: bench-fanout-100', '  timeout: 30s', '  auth: none',
    '  inputs:', '    - name: items', '      type: json',
    'steps:', '  - id: each', '    action: add-one', '    foreach: ${{ trigger.items }}', '    parallelism: 16', '    inputs:', '      n: ${{ item }}',
    'results:', '  n: ${{ steps.each.n }}', '',
  ].join('\n');
}

/** The workflow ids of the chains, by length (and of fanout-100 as `fanout`). */
async function prepare(token) {
  const repo = makeRepository();
  try {
    const name = `bench-${Date.now()}`;
    const source = await api('POST', '/repository/sources', { token, json: { name, url: `file://${repo}` } });
    if (source.status !== 201) fail(`adding the source: ${source.status} ${source.text}`);
    const scan = await api('POST', `/repository/sources/${source.body.id}/scan`, { token });
    await until('the scan', () => api('GET', `/repository/sources/${source.body.id}/scans/${scan.body.id}`, { token }), (a) => ['done', 'failed'].includes(a.body?.status));
    if ((await api('POST', `/repository/sources/${source.body.id}/build`, { token })).status !== 202) fail('asking for the build');
    await until('add-one in the library', () => api('GET', `/studio/actions/add-one`, { token }), (a) => a.status === 200);
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
  const ids = {};
  for (const length of [...chains, ...(fanout ? ['fanout'] : [])]) {
    const imported = await api('POST', '/studio/workflows/import', { token, yaml: length === 'fanout' ? fanoutYaml() : chainYaml(length) });
    ids[length] = imported.body?.id;
    if (![200, 201].includes(imported.status) || imported.body.problems.length > 0) fail(`importing chain-${length}: ${imported.text}`);
    const deploy = await api('POST', `/studio/workflows/${imported.body.id}/deploy`, { token });
    if (deploy.status !== 202) fail(`deploying chain-${length}: ${deploy.text}`);
    await until(`chain-${length} deployed`, () => api('GET', `/studio/workflows/${imported.body.id}`, { token }), (a) => ['deployed', 'failed'].includes(a.body?.deployment?.status));
  }
  return ids;
}

/**
 * The cold start of a scaled-to-zero action, `times` times: the chain's action processes scaled
 * to zero by the runner's operator route (what its idle time does, now), then one call of the
 * chain timed end to end, and the start the runner measured for it (last_cold_start_ms).
 */
async function coldStartOf(token, workflowId, length, times) {
  const call = caller(length);
  const endToEndMs = [];
  const runnerMs = [];
  for (let i = 0; i < times; i++) {
    const scaled = await api('POST', `/runner/deployments/${workflowId}/scale-to-zero`, { token });
    if (scaled.status !== 200 || !scaled.body.actions.every((a) => a.outcome === 'stopped')) fail(`scaling chain-${length} to zero: ${scaled.status} ${scaled.text}`);
    const start = process.hrtime.bigint();
    await call();
    endToEndMs.push(Number(process.hrtime.bigint() - start) / 1e6);
    const listed = await api('GET', '/runner/deployments', { token });
    const site = listed.body?.items?.find((d) => d.workflow_id === workflowId)?.actions?.[0]?.site_state;
    if (typeof site?.last_cold_start_ms !== 'number') fail(`no cold start recorded for chain-${length}: ${listed.text.slice(0, 300)}`);
    runnerMs.push(site.last_cold_start_ms);
    for (let j = 0; j < 3; j++) await call(); // warm again before the next round
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return { times, endToEndP50: median(endToEndMs), endToEndMax: Math.max(...endToEndMs), runnerP50: median(runnerMs), runnerMax: Math.max(...runnerMs) };
}

/**
 * The timed calls go through node:http with a keep-alive agent, not fetch: on a 2-core machine
 * the load generator shares the cores with the platform it measures, and fetch (undici) spent
 * 2.2 ms of CPU per call where this spends 0.6 ms (docs/decisions.md). Each call is still one
 * HTTP request through the gateway, on a kept-alive connection as a browser's or fetch's would be.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/**
 * BENCH_CLIENT=fetch times the chains and fanout-100 through fetch instead, as the n8n peer's
 * load generator does: bench:compare uses it so that both systems are loaded by the same client.
 * One-step at c=32 stays on node:http: no peer figure to match, and its aim was set with it.
 */
const client = process.env.BENCH_CLIENT ?? 'http';
if (!['http', 'fetch'].includes(client)) fail(`BENCH_CLIENT must be http or fetch, not ${client}`);

async function postWithFetch(route, body) {
  const response = await fetch(`${base}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: response.status, text: await response.text() };
}

function post(route, body, via) {
  if (via === 'fetch') return postWithFetch(route, body);
  const url = new URL(`${base}${route}`);
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: url.hostname, port: url.port || 80, path: `${url.pathname}${url.search}`, method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, text: Buffer.concat(chunks).toString() }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** One call of chain-`length` through `via` (http or fetch), checked: n + length. */
function caller(length, via = client) {
  let n = 0;
  return async () => {
    const input = ++n;
    const { status, text } = await post(`/user-api/${project}/bench-chain-${length}`, JSON.stringify({ n: input }), via);
    if (status !== 200) fail(`chain-${length}: ${status} ${text.slice(0, 300)}`);
    if (JSON.parse(text).n !== input + length) fail(`chain-${length}: ${text} for n=${input}`);
  };
}

/** One call of fanout-100, checked: every item + 1, in order. */
function fanoutCaller() {
  let n = 0;
  return async () => {
    const first = ++n;
    const items = Array.from({ length: FANOUT_ITEMS }, (_, i) => first + i);
    const { status, text } = await post(`/user-api/${project}/bench-fanout-100`, JSON.stringify({ items }), client);
    if (status !== 200) fail(`fanout-100: ${status} ${text.slice(0, 300)}`);
    const answer = JSON.parse(text).n;
    if (!Array.isArray(answer) || answer.length !== FANOUT_ITEMS || answer.some((value, i) => value !== items[i] + 1)) fail(`fanout-100: ${text.slice(0, 300)}`);
  };
}

/** `total` calls by `concurrency` callers: runs per second. */
async function runsPerSecond(call, total, concurrency) {
  let left = total;
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (left-- > 0) await call();
  }));
  return total / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** The floor: a bare gRPC Run of the same action, through its wrapper started here. */
async function floor() {
  const wrapperCli = path.join(root, 'packages/action-wrapper/dist/cli.js');
  const pb = await import(path.join(root, 'packages/action-wrapper/dist/infrastructure/pb/action/v1/action.js'));
  const server = await startServer('add-one', [wrapperCli, path.join(root, 'examples/actions/add-one'), '--port', '0']);
  const client = new pb.ActionServiceClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
  try {
    await promisify(client.init).bind(client)({ contractVersion: 'v1' });
    const run = promisify(client.run).bind(client);
    let i = 0;
    const call = async () => {
      const response = await run({ executionId: `floor-${++i}`, idempotencyKey: `floor:${i}`, attempt: 1, inputs: { n: { kind: { $case: 'integerValue', integerValue: '1' } } }, outputUrls: {}, timeoutMs: 0 });
      if (response.error) fail(`floor: ${JSON.stringify(response.error)}`);
    };
    await sampleLatency(call, 200);
    return summarize(await sampleLatency(call, 500));
  } finally {
    client.close();
    await server.stop();
  }
}

async function main() {
  const login = await api('POST', '/authorization/login', { json: { username: 'admin', password: adminPassword() } });
  if (login.status !== 200) fail(`logging in at ${base}: ${login.status} ${login.text.slice(0, 200)}`);
  const token = login.body.access_token;
  log('building add-one and deploying the chains...');
  const ids = await prepare(token);
  if (setupOnly) return log(`deployed: ${Object.keys(ids).map((length) => (length === 'fanout' ? 'fanout-100' : `chain-${length}`)).join(', ')}`);
  const results = { client, chains: {}, machine: { cpus: os.cpus().length, load: os.loadavg() } };
  for (const length of chains) {
    log(`chain-${length}...`);
    const call = caller(length);
    for (let i = 0; i < 5; i++) await call();
    const latency = summarize(await sampleLatency(call, sequential));
    results.chains[length] = { p50: latency.p50, p95: latency.p95, runsPerSecond: await runsPerSecond(call, concurrent, 10) };
  }
  if (fanout) {
    log('fanout-100...');
    const call = fanoutCaller();
    for (let i = 0; i < 5; i++) await call();
    const latency = summarize(await sampleLatency(call, sequential));
    results.fanout = { p50: latency.p50, p95: latency.p95, runsPerSecond: await runsPerSecond(call, concurrent, 10) };
  }
  if (chains.includes(1)) results.oneStepC32 = await runsPerSecond(caller(1, 'http'), concurrent * 2, 32);
  if (chains.includes(1) && chains.includes(40)) results.perStepMs = (results.chains[40].p50 - results.chains[1].p50) / 39;
  if (coldStarts > 0) {
    const length = chains[0];
    log(`cold starts: chain-${length} scaled to zero ${coldStarts} times...`);
    results.coldStart = { chain: length, ...(await coldStartOf(token, ids[length], length, coldStarts)) };
  }
  log('the floor: a bare gRPC call...');
  results.floor = await floor();
  print(results);
  mkdirSync(path.dirname(resultsFile), { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify({ at: new Date().toISOString(), base, aims, results }, null, 2)}\n`);
}

function print(results) {
  const row = (figure, value, aim, ok) => `${figure.padEnd(34)} ${value.padStart(12)}   aim ${aim.padEnd(12)} ${ok === undefined ? '' : ok ? 'ok' : 'MISSED'}`;
  const lines = ['', row('figure', 'measured', '', undefined)];
  for (const [length, figures] of Object.entries(results.chains)) {
    lines.push(row(`chain-${length} p50 (sync HTTP, warm)`, `${figures.p50.toFixed(1)} ms`, length === '40' ? `<= ${aims.chain40P50Ms} ms` : '-', length === '40' ? figures.p50 <= aims.chain40P50Ms : undefined));
    lines.push(row(`chain-${length} p95`, `${figures.p95.toFixed(1)} ms`, '-', undefined));
    lines.push(row(`chain-${length} runs/s at c=10`, figures.runsPerSecond.toFixed(1), length === '10' ? `>= ${aims.chain10RunsPerSecond}` : '-', length === '10' ? figures.runsPerSecond >= aims.chain10RunsPerSecond : undefined));
  }
  if (results.fanout) {
    lines.push(row('fanout-100 p50 (foreach, 16 at once)', `${results.fanout.p50.toFixed(1)} ms`, `<= ${aims.fanout100P50Ms} ms`, results.fanout.p50 <= aims.fanout100P50Ms));
    lines.push(row('fanout-100 p95', `${results.fanout.p95.toFixed(1)} ms`, '-', undefined));
    lines.push(row('fanout-100 runs/s at c=10', results.fanout.runsPerSecond.toFixed(1), '-', undefined));
  }
  if (results.perStepMs !== undefined) lines.push(row('per-step overhead p50', `${results.perStepMs.toFixed(2)} ms`, `<= ${aims.perStepMs} ms`, results.perStepMs <= aims.perStepMs));
  if (results.oneStepC32 !== undefined) lines.push(row('one-step runs/s at c=32', results.oneStepC32.toFixed(1), `>= ${aims.oneStepRunsPerSecond}`, results.oneStepC32 >= aims.oneStepRunsPerSecond));
  const cold = results.coldStart;
  if (cold) {
    // The aim is on what the caller waits: the whole first call, the cold start in it.
    lines.push(row('cold start (1st call, scaled to 0)', `${cold.endToEndP50.toFixed(1)} ms`, `<= ${aims.coldStartMs} ms`, cold.endToEndP50 <= aims.coldStartMs));
    lines.push(row(`  max of ${cold.times} (chain-${cold.chain}, end to end)`, `${cold.endToEndMax.toFixed(1)} ms`, '-', undefined));
    lines.push(row('  process start (runner-measured) p50', `${cold.runnerP50} ms`, '-', undefined));
    lines.push(row('  process start (runner-measured) max', `${cold.runnerMax} ms`, '-', undefined));
  }
  lines.push(row('floor: bare gRPC add-one p50', `${results.floor.p50.toFixed(2)} ms`, '-', undefined));
  if (results.chains[1]) lines.push(row('chain-1 p50 / floor p50', `${(results.chains[1].p50 / results.floor.p50).toFixed(1)}x`, '-', undefined));
  lines.push('');
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().then(() => { clearTimeout(watchdog); agent.destroy(); }, (error) => fail(error instanceof Error ? error.stack ?? error.message : String(error)));
