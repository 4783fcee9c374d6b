import { describe, expect, it } from 'vitest';
import { assemble, type Findings } from './assemble.js';
import { fail, ok } from './check.js';

const services = ['authorization', 'studio'];
const findings = (brokerUp: boolean, queues: Findings['queues']): Findings => ({
  instance: ok('instance', 'i', 'id'),
  platform: ok('platform', 'supervisor', 'running'),
  keys: [ok('keys', 'TRELLIS_SECRET_KEY', 'present')],
  services: services.map((service) => ({
    service,
    database: ok('database', service, `reachable (${service.length} ms)`),
    broker: brokerUp ? ok('broker', service, 'reachable (1 ms)') : fail('broker', service, 'connection refused at h:1', 'is RabbitMQ running?'),
    data: [ok('outbox', service, 'nothing waiting to be published')],
  })),
  queues,
  storage: [ok('object-store', 'b', '0 objects, 0 B')],
});
const unreadable = { read: false as const, problem: fail('queue', 'v', 'cannot read the queues: the management API does not answer') };
const lines = (f: Findings) => assemble(f).map((c) => `${c.status} ${c.check} ${c.subject}`);

describe('the report in order', () => {
  it('merges alike findings of every service', () => {
    expect(lines(findings(true, { read: true, checks: [] }))).toEqual([
      'ok instance i', 'ok platform supervisor', 'ok keys TRELLIS_SECRET_KEY', 'ok database authorization', 'ok database studio', 'ok broker every service', 'ok outbox every service', 'ok object-store b',
    ]);
  });

  it('says a stopped broker once: its management API failing with it is no finding of its own', () => {
    const stopped = lines(findings(false, unreadable));
    expect(stopped.filter((line) => line.startsWith('fail'))).toEqual(['fail broker every service']);
  });

  it('says an unreadable management API when the broker itself answers', () => {
    expect(lines(findings(true, unreadable))).toContain('fail queue v');
  });
});
