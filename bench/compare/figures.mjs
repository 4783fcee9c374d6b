// The side-by-side figures of bench:compare, each beside its aim from issue 13, and the table
// they print as. Pure functions: the measuring lives in run.mjs and its helpers.

/**
 * The aims of issue 13. `max`/`min` bound Trellis's own figure; `vsPeer` is how many times
 * better than n8n it must be (faster for a latency, more for runs/s, smaller for memory).
 */
export const AIMS = {
  chain40P50: { max: 100, vsPeer: 2.5 },
  chain10RunsPerSecond: { min: 50, vsPeer: 3 },
  fanout100P50: { max: 80 },
  perStepMs: { max: 2.5 },
  oneStepC32: { min: 500 },
  idleRssMb: { max: 600 },
  startupS: { max: 15 },
};

/** Trellis's figures from bench:platform's results, the idle memory and the timed start (either may be missing). */
export function trellisFigures(platform, idleRssMb, startupS) {
  const pick = (figures) => figures && { p50: figures.p50, p95: figures.p95, runsPerSecond: figures.runsPerSecond };
  return {
    chain10: pick(platform.chains['10']),
    chain40: pick(platform.chains['40']),
    fanout100: pick(platform.fanout),
    perStepMs: platform.perStepMs,
    oneStepC32: platform.oneStepC32,
    idleRssMb,
    startupS,
  };
}

/**
 * n8n's figures from one run of its script's summary (`runs[i]`). Its per-step overhead is what
 * 30 more Code nodes add: (chain-40 p50 - chain-10 p50) / 30.
 */
export function peerFigures(run) {
  const pick = (workflow) => workflow && { p50: workflow.sequential.p50_ms, p95: workflow.sequential.p95_ms, runsPerSecond: workflow.throughput.runs_per_s };
  const chain10 = pick(run.workflows.chain10);
  const chain40 = pick(run.workflows.chain40);
  return {
    chain10,
    chain40,
    fanout100: pick(run.workflows.fanout),
    perStepMs: chain10 && chain40 ? (chain40.p50 - chain10.p50) / 30 : undefined,
    oneStepC32: undefined,
    idleRssMb: run.rss_mb.idle_total,
    startupS: run.startup_to_first_webhook_ms / 1000,
  };
}

/** Answers that were not 200 with the right result, per workflow of the n8n run: none in a valid run. */
export function peerProblems(run) {
  return Object.entries(run.workflows).flatMap(([name, w]) => {
    const bad = w.warmup_errors + w.sequential.errors + w.sequential.wrong + w.throughput.errors + w.throughput.wrong;
    return bad > 0 ? [`n8n ${name}: ${bad} failed or wrong answers (${w.first_problem ?? w.warmup_first_problem ?? '?'})`] : [];
  });
}

/** The rows of the table: what each figure is, how it reads (lower or higher is better), its unit and aim. */
const ROWS = [
  { key: 'chain10.p50', label: 'chain-10 p50 (sequential)', unit: 'ms', better: 'lower' },
  { key: 'chain10.p95', label: 'chain-10 p95 (sequential)', unit: 'ms', better: 'lower' },
  { key: 'chain10.runsPerSecond', label: 'chain-10 runs/s at c=10', unit: 'runs/s', better: 'higher', aim: AIMS.chain10RunsPerSecond },
  { key: 'chain40.p50', label: 'chain-40 p50 (sequential)', unit: 'ms', better: 'lower', aim: AIMS.chain40P50 },
  { key: 'chain40.p95', label: 'chain-40 p95 (sequential)', unit: 'ms', better: 'lower' },
  { key: 'chain40.runsPerSecond', label: 'chain-40 runs/s at c=10', unit: 'runs/s', better: 'higher' },
  { key: 'fanout100.p50', label: 'fanout-100 p50 (sequential)', unit: 'ms', better: 'lower', aim: AIMS.fanout100P50 },
  { key: 'fanout100.p95', label: 'fanout-100 p95 (sequential)', unit: 'ms', better: 'lower' },
  { key: 'fanout100.runsPerSecond', label: 'fanout-100 runs/s at c=10', unit: 'runs/s', better: 'higher' },
  { key: 'perStepMs', label: 'per-step overhead p50', unit: 'ms', better: 'lower', aim: AIMS.perStepMs },
  { key: 'oneStepC32', label: 'one-step runs/s at c=32', unit: 'runs/s', better: 'higher', aim: AIMS.oneStepC32 },
  { key: 'idleRssMb', label: 'idle RSS, whole system', unit: 'MB', better: 'lower', aim: AIMS.idleRssMb },
  { key: 'startupS', label: 'start to first answered trigger', unit: 's', better: 'lower', aim: AIMS.startupS },
];

const valueAt = (figures, key) => key.split('.').reduce((value, part) => value?.[part], figures);

/** How many times better Trellis is than n8n on a figure (> 1: better), or undefined without both. */
export function advantageOf(trellis, peer, better) {
  if (trellis === undefined || peer === undefined || trellis <= 0 || peer <= 0) return undefined;
  return better === 'lower' ? peer / trellis : trellis / peer;
}

/** Each part of an aim, with whether it holds: the reasons of a miss, or 'not measured'. */
export function judge(aim, value, advantage) {
  if (!aim) return { verdict: '-', misses: [] };
  if (value === undefined) return { verdict: 'not measured', misses: [] };
  const misses = [];
  if (aim.max !== undefined && !(value <= aim.max)) misses.push(`${round(value)} > ${aim.max}`);
  if (aim.min !== undefined && !(value >= aim.min)) misses.push(`${round(value)} < ${aim.min}`);
  let peerPart = '';
  if (aim.vsPeer !== undefined) {
    if (advantage === undefined) peerPart = ' (ratio to n8n not measured)';
    else if (advantage < aim.vsPeer) misses.push(`${advantage.toFixed(2)}x < ${aim.vsPeer}x n8n`);
  }
  return { verdict: misses.length === 0 ? `met${peerPart}` : `MISSED: ${misses.join(', ')}${peerPart}`, misses };
}

function aimText(aim, row) {
  if (!aim) return '-';
  const bound = aim.max !== undefined ? `<= ${aim.max} ${row.unit}` : `>= ${aim.min} ${row.unit}`;
  const word = { lower: row.unit === 'MB' ? 'smaller' : 'faster', higher: 'more' }[row.better];
  return aim.vsPeer === undefined ? bound : `${bound}, >= ${aim.vsPeer}x ${word}`;
}

/** The table's rows: both figures, the ratio Trellis/n8n, which system is ahead and by how much, the aim and whether it is met. */
export function compareRows(trellis, peer) {
  return ROWS.map((row) => {
    const mine = valueAt(trellis, row.key);
    const theirs = peer ? valueAt(peer, row.key) : undefined;
    const advantage = advantageOf(mine, theirs, row.better);
    const { verdict, misses } = judge(row.aim, mine, advantage);
    return {
      figure: row.label, unit: row.unit, trellis: mine, n8n: theirs,
      ratio: mine !== undefined && theirs ? mine / theirs : undefined,
      advantage: advantage === undefined ? undefined : advantage >= 1 ? `Trellis ${advantage.toFixed(2)}x ${betterWord(row)}` : `n8n ${(1 / advantage).toFixed(2)}x ${betterWord(row)}`,
      aim: aimText(row.aim, row), verdict, missed: misses.length > 0,
    };
  });
}

function betterWord(row) {
  if (row.better === 'higher') return 'more';
  return row.unit === 'MB' ? 'smaller' : 'faster';
}

function round(value) {
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

const cell = (value, unit) => (value === undefined ? '-' : `${round(value)} ${unit}`);

/** The rows as one plain-text table; `ahead` says which system is better and by how much (n8n/Trellis for latency and memory, Trellis/n8n for runs/s). */
export function formatTable(rows) {
  const header = ['figure', 'Trellis', 'n8n', 'Trellis/n8n', 'ahead', 'aim (issue 13)', 'verdict'];
  const lines = rows.map((r) => [r.figure, cell(r.trellis, r.unit), cell(r.n8n, r.unit), r.ratio === undefined ? '-' : r.ratio.toFixed(2), r.advantage ?? '-', r.aim, r.verdict]);
  const widths = header.map((_, i) => Math.max(...[header, ...lines].map((line) => line[i].length)));
  const rightAligned = new Set([1, 2, 3]);
  const format = (line) => line.map((text, i) => (rightAligned.has(i) ? text.padStart(widths[i]) : text.padEnd(widths[i]))).join('  ').trimEnd();
  return [format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(format)].join('\n');
}
