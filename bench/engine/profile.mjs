// Reads a V8 CPU profile (node:inspector's Profiler.stop) as self time per category: where the
// runner's own CPU goes, by the code a sample was in (its URL, or its name for V8's and native
// frames). A sample's time is the gap to the next sample, as DevTools counts it, but at most
// MAX_GAP_MS: on a loaded machine the process is sometimes not scheduled for tens of
// milliseconds, and that gap is no CPU of the frame it happened to stop in.

/** First match wins: the order puts a library's own frames before anything that might call it. */
export const CATEGORIES = [
  { name: 'GC', matches: (frame) => frame.functionName === '(garbage collector)' },
  { name: 'gRPC / http2', matches: (frame) => frame.url.includes('/@grpc/') || /^node:(internal\/)?http2/.test(frame.url) },
  {
    name: 'socket / stream writes',
    matches: (frame) => /^node:(net|stream|internal\/stream_base_commons|internal\/streams\/)/.test(frame.url)
      || (frame.url === '' && /^(writev|writeBuffer|writeUtf8String|writeLatin1String|writeAsciiString)$/.test(frame.functionName)),
  },
  { name: 'protobuf', matches: (frame) => frame.url.includes('/protobufjs/') || frame.url.includes('/@protobufjs/') || frame.url.includes('/dist/infrastructure/pb/') || frame.url.includes('/long/') },
  {
    name: 'Postgres client, committer',
    matches: (frame) => /\/(pg|pg-protocol|pg-pool|pg-types|kysely)\//.test(frame.url) || frame.url.includes('/services/runner/dist/infrastructure/postgres/'),
  },
  { name: 'logging', matches: (frame) => /\/(winston|logform|winston-transport|triple-beam)\//.test(frame.url) || frame.url.endsWith('/platform/dist/logger.js') },
  {
    name: 'engine, domain',
    matches: (frame) => /\/services\/runner\/dist\/(domain|application)\//.test(frame.url) || /\/packages\/(kernel|workflow-language)\/dist\//.test(frame.url) || frame.url.includes('/immutable/'),
  },
  { name: 'local site (call, values)', matches: (frame) => frame.url.includes('/services/runner/dist/infrastructure/local-site/') },
  { name: 'Node runtime (microtasks, timers)', matches: (frame) => frame.url.startsWith('node:') },
  { name: 'V8 and native (unattributed)', matches: (frame) => frame.functionName === '(program)' || frame.url === '' },
  { name: 'other', matches: () => true },
];

/** What is not the process's CPU: the profiler's view of waiting. */
const IDLE = new Set(['(idle)', '(root)']);

/** Ten times the bench's sampling interval (100 µs). */
export const MAX_GAP_MS = 1;

/** Self time (ms) of each profile node, from its samples. */
export function selfTimes(profile) {
  const byNode = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length - 1; i++) {
    byNode.set(samples[i], (byNode.get(samples[i]) ?? 0) + Math.min(timeDeltas[i + 1] / 1000, MAX_GAP_MS));
  }
  return profile.nodes.map((node) => ({ frame: node.callFrame, ms: byNode.get(node.id) ?? 0 }));
}

export function categoryOf(frame) {
  return CATEGORIES.find((category) => category.matches(frame)).name;
}

/**
 * The CPU of profiles (one, or several of the same work) by category (idle left out), and their
 * busiest functions. `steps` (of all of them) divides each figure into ms per step.
 */
export function breakdown(profiles, steps) {
  const times = [profiles].flat().flatMap(selfTimes);
  const busy = times.filter(({ frame }) => !IDLE.has(frame.functionName));
  const totalMs = busy.reduce((sum, { ms }) => sum + ms, 0);
  const byCategory = new Map(CATEGORIES.map((category) => [category.name, 0]));
  const byFunction = new Map();
  for (const { frame, ms } of busy) {
    byCategory.set(categoryOf(frame), byCategory.get(categoryOf(frame)) + ms);
    const key = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
  }
  const row = (name, ms) => ({ name, ms, msPerStep: ms / steps, share: totalMs > 0 ? ms / totalMs : 0 });
  return {
    totalMs,
    cpuMsPerStep: totalMs / steps,
    categories: [...byCategory].map(([name, ms]) => row(name, ms)),
    functions: [...byFunction].map(([name, ms]) => row(name, ms)).sort((a, b) => b.ms - a.ms),
  };
}

/** A URL without the checkout's path: `@grpc/grpc-js/build/src/call.js`, `runner/dist/application/engine.js`. */
export function shortUrl(url) {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  const workspace = url.match(/\/(?:services|packages)\/(.*)$/);
  return workspace ? workspace[1] : url;
}
