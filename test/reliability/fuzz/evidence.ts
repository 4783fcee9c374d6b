import { readFile } from 'node:fs/promises';
import type { BehindGateway } from '../../e2e/behind-gateway.js';

/** The request id the suite gives a request that does not set its own, to find it in every log. */
export function fuzzRequestId(seed: number, index: number): string {
  return `fuzz-${seed}-${index}`;
}

const AROUND_MS = 3_000;

/** The whole seconds from `from` to `to` as log timestamps start (`2026-12-03T18:51:27`). */
function secondsBetween(from: number, to: number): string[] {
  const seconds: string[] = [];
  for (let at = Math.floor(from / 1000) * 1000; at <= to; at += 1000) seconds.push(new Date(at).toISOString().slice(0, 19));
  return seconds;
}

type AccessLine = { request_id: string; time: string; duration_s: number; upstream: string };

/**
 * What the gateway and the services logged of one request with no answer, and around it: the
 * gateway's access-log line for it (written when nginx ends it, with the upstream's address,
 * status and time), every request to the same upstream that was in flight within 3 s of it, each
 * service's lines with its id or from those seconds, and the gateway's error-log lines of then.
 */
export async function evidenceOf(env: BehindGateway, requestId: string, sentAt: number): Promise<string[]> {
  const lines: string[] = [];
  const access = env.gateway.accessLog ? await readFile(env.gateway.accessLog, 'utf8').catch(() => '') : '';
  const parsed = access.split('\n').flatMap((line): Array<[string, AccessLine]> => {
    try {
      return [[line, JSON.parse(line) as AccessLine]];
    } catch {
      return [];
    }
  });
  const own = parsed.find(([, entry]) => entry.request_id === requestId)?.[1];
  lines.push(own ? `gateway access: ${JSON.stringify(own)}` : 'gateway access: no line for this request');
  for (const [line, entry] of parsed) {
    if (entry === own || (own && entry.upstream !== own.upstream)) continue;
    const ended = Date.parse(entry.time);
    const started = ended - entry.duration_s * 1000;
    if (started <= sentAt + AROUND_MS && ended >= sentAt - AROUND_MS) lines.push(`gateway access, same upstream, near: ${line}`);
  }
  const seconds = secondsBetween(sentAt - AROUND_MS, sentAt + AROUND_MS);
  for (const [name, service] of Object.entries(env.platform.running)) {
    for (const line of service.output().split('\n')) {
      if (line.includes(requestId) || seconds.some((second) => line.includes(second))) lines.push(`${name}: ${line.slice(0, 600)}`);
    }
  }
  const errorSeconds = seconds.map((second) => second.replace(/-/g, '/').replace('T', ' '));
  for (const line of env.gateway.errors().split('\n')) if (errorSeconds.some((second) => line.startsWith(second))) lines.push(`gateway error: ${line.slice(0, 300)}`);
  return lines;
}
