// node --test bench/engine/ — how a CPU profile is read: self time from the sample gaps, each
// frame in its category, idle left out of the total, figures per step.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { breakdown, categoryOf, MAX_GAP_MS, shortUrl } from './profile.mjs';

const frame = (functionName, url = '') => ({ functionName, url, lineNumber: 0, columnNumber: 0, scriptId: '0' });
const checkout = 'file:///work/main';

test('frames fall in the category of the code they are in', () => {
  const cases = [
    [frame('(garbage collector)'), 'GC'],
    [frame('makeUnaryRequest', `${checkout}/node_modules/@grpc/grpc-js/build/src/client.js`), 'gRPC / http2'],
    [frame('request', 'node:internal/http2/core'), 'gRPC / http2'],
    [frame('writevGeneric', 'node:internal/stream_base_commons'), 'socket / stream writes'],
    [frame('writev'), 'socket / stream writes'],
    [frame('decode', `${checkout}/services/runner/dist/infrastructure/pb/action/v1/action.js`), 'protobuf'],
    [frame('query', `${checkout}/node_modules/pg/lib/client.js`), 'Postgres client, committer'],
    [frame('writeTransitions', `${checkout}/services/runner/dist/infrastructure/postgres/run-store.js`), 'Postgres client, committer'],
    [frame('log', `${checkout}/node_modules/winston/lib/winston/logger.js`), 'logging'],
    [frame('stepFinished', `${checkout}/services/runner/dist/domain/run.js`), 'engine, domain'],
    [frame('get', `${checkout}/node_modules/immutable/dist/immutable.js`), 'engine, domain'],
    [frame('callAction', `${checkout}/services/runner/dist/infrastructure/local-site/call-action.js`), 'local site (call, values)'],
    [frame('processTicksAndRejections', 'node:internal/process/task_queues'), 'Node runtime (microtasks, timers)'],
    [frame('(program)'), 'V8 and native (unattributed)'],
    [frame('anything', `${checkout}/node_modules/zod/index.js`), 'other'],
  ];
  for (const [given, category] of cases) assert.equal(categoryOf(given), category, `${given.functionName} ${given.url}`);
});

test('self time is the gap to the next sample; idle is not CPU; figures are per step', () => {
  const profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 3, 4] },
      { id: 2, callFrame: frame('(idle)') },
      { id: 3, callFrame: frame('stepFinished', `${checkout}/services/runner/dist/domain/run.js`) },
      { id: 4, callFrame: frame('(garbage collector)') },
    ],
    // 3 for 300 µs, idle for 1000 µs, 3 for 100 µs, GC for 600 µs; the last sample has no gap after it.
    samples: [3, 2, 3, 4, 3],
    timeDeltas: [0, 300, 1000, 100, 600],
  };
  const result = breakdown(profile, 2);
  assert.equal(result.totalMs, 1);
  assert.equal(result.cpuMsPerStep, 0.5);
  const engine = result.categories.find((c) => c.name === 'engine, domain');
  assert.deepEqual(engine, { name: 'engine, domain', ms: 0.4, msPerStep: 0.2, share: 0.4 });
  assert.equal(result.categories.find((c) => c.name === 'GC').ms, 0.6);
  assert.equal(result.functions[0].name, '(garbage collector) :1');
});

test('URLs are shown from the package or workspace folder', () => {
  assert.equal(shortUrl(`${checkout}/node_modules/@grpc/grpc-js/build/src/call.js`), '@grpc/grpc-js/build/src/call.js');
  assert.equal(shortUrl(`${checkout}/services/runner/dist/application/engine.js`), 'runner/dist/application/engine.js');
  assert.equal(shortUrl('node:net'), 'node:net');
});

test('a gap longer than MAX_GAP_MS (the process not scheduled) counts as MAX_GAP_MS', () => {
  const profile = {
    nodes: [{ id: 1, callFrame: frame('(root)'), children: [2] }, { id: 2, callFrame: frame('createQueryId', `${checkout}/node_modules/kysely/dist/esm/util/query-id.js`) }],
    samples: [2, 2, 2],
    timeDeltas: [0, 74_000, 100],
  };
  assert.equal(breakdown(profile, 1).totalMs, MAX_GAP_MS + 0.1);
});
