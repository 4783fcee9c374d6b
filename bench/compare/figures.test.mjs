// node --test bench/compare/ — the comparison's arithmetic: ratios, n8n's per-step overhead,
// aims judged on both the figure and the ratio to n8n, a peer's wrong answers caught.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareRows, formatTable, judge, peerFigures, peerProblems, trellisFigures } from './figures.mjs';

/** One run of the n8n script's summary, with its figures as given. */
function aPeerRun({ chain10 = 131, chain40 = 292, runsPerSecond = 15, wrong = 0 } = {}) {
  const workflow = (p50) => ({ warmup_errors: 0, sequential: { p50_ms: p50, p95_ms: p50 * 1.2, errors: 0, wrong }, throughput: { runs_per_s: runsPerSecond, errors: 0, wrong: 0 } });
  return { startup_to_first_webhook_ms: 9700, rss_mb: { idle_main: 500, idle_total: 740 }, workflows: { chain10: workflow(chain10), chain40: workflow(chain40), fanout: workflow(108) } };
}

function aPlatformResult({ chain40 = 80, chain10RunsPerSecond = 60 } = {}) {
  return {
    chains: { 1: { p50: 5, p95: 6, runsPerSecond: 200 }, 10: { p50: 25, p95: 30, runsPerSecond: chain10RunsPerSecond }, 40: { p50: chain40, p95: chain40 * 1.1, runsPerSecond: 12 } },
    fanout: { p50: 70, p95: 90, runsPerSecond: 14 },
    perStepMs: 1.9,
    oneStepC32: 520,
  };
}

const rowOf = (rows, figure) => rows.find((row) => row.figure === figure);

test("n8n's per-step overhead is what 30 more Code nodes add at p50", () => {
  assert.equal(peerFigures(aPeerRun({ chain10: 130, chain40: 292 })).perStepMs, 5.4);
});

test('the ratio is Trellis/n8n, and who is ahead reads n8n/Trellis for latency, Trellis/n8n for runs/s, and smaller for memory', () => {
  const rows = compareRows(trellisFigures(aPlatformResult({ chain40: 80 }), 500, 12), peerFigures(aPeerRun({ chain40: 292 })));
  const chain40 = rowOf(rows, 'chain-40 p50 (sequential)');
  assert.equal(chain40.ratio.toFixed(3), (80 / 292).toFixed(3));
  assert.equal(chain40.advantage, 'Trellis 3.65x faster');
  assert.equal(rowOf(rows, 'chain-10 runs/s at c=10').advantage, 'Trellis 4.00x more');
  assert.equal(rowOf(rows, 'idle RSS, whole system').advantage, 'Trellis 1.48x smaller');
});

test('where n8n is ahead, the table says so with its own factor', () => {
  const rows = compareRows(trellisFigures(aPlatformResult(), 850, 21.6), peerFigures(aPeerRun()));
  assert.equal(rowOf(rows, 'idle RSS, whole system').advantage, 'n8n 1.15x smaller');
  assert.equal(rowOf(rows, 'start to first answered trigger').advantage, 'n8n 2.23x faster');
});

test('an aim with a ratio to n8n is missed when the figure holds but the ratio does not', () => {
  const rows = compareRows(trellisFigures(aPlatformResult({ chain40: 95 }), 500, 12), peerFigures(aPeerRun({ chain40: 200 })));
  const chain40 = rowOf(rows, 'chain-40 p50 (sequential)');
  assert.equal(chain40.missed, true);
  assert.match(chain40.verdict, /MISSED: 2\.11x < 2\.5x n8n/);
});

test('every aim is judged, met or missed, beside its figure', () => {
  const rows = compareRows(trellisFigures(aPlatformResult({ chain10RunsPerSecond: 40 }), 650, 16), peerFigures(aPeerRun()));
  const verdicts = Object.fromEntries(rows.filter((row) => row.aim !== '-').map((row) => [row.figure, row.missed]));
  assert.deepEqual(verdicts, {
    'chain-10 runs/s at c=10': true,
    'chain-40 p50 (sequential)': false,
    'fanout-100 p50 (sequential)': false,
    'per-step overhead p50': false,
    'one-step runs/s at c=32': false,
    'idle RSS, whole system': true,
    'start to first answered trigger': true,
  });
});

test('without n8n the figure alone is judged and the ratio said not measured', () => {
  const rows = compareRows(trellisFigures(aPlatformResult(), 500, 12), undefined);
  assert.equal(rowOf(rows, 'chain-40 p50 (sequential)').verdict, 'met (ratio to n8n not measured)');
  assert.equal(rowOf(rows, 'chain-40 p50 (sequential)').ratio, undefined);
});

test('a figure not measured is neither met nor missed', () => {
  assert.deepEqual(judge({ max: 15 }, undefined, undefined), { verdict: 'not measured', misses: [] });
});

test("n8n's wrong answers are found, per workflow", () => {
  assert.deepEqual(peerProblems(aPeerRun()), []);
  assert.equal(peerProblems(aPeerRun({ wrong: 2 })).length, 3);
});

test('the table has one line per figure under its header, with both systems', () => {
  const table = formatTable(compareRows(trellisFigures(aPlatformResult(), 500, 12), peerFigures(aPeerRun())));
  const lines = table.split('\n');
  assert.equal(lines.length, 2 + 13);
  assert.match(lines[0], /^figure\s+Trellis\s+n8n\s+Trellis\/n8n\s+ahead\s+aim \(issue 13\)\s+verdict$/);
  assert.match(table, /chain-40 p50 \(sequential\)\s+80\.0 ms\s+292 ms\s+0\.27\s+Trellis 3\.65x faster\s+<= 100 ms, >= 2\.5x faster\s+met/);
});
