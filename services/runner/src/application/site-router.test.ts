import { describe, expect, it } from 'vitest';
import { ok, rejected } from '@trellis/kernel/result';
import type { PinnedAction } from '../domain/deployment.js';
import { actionRef } from './action-refs.js';
import { routeSites, type RoutableSite } from './site-router.js';
import type { ActionVersionRef, Call, SiteName } from './site.js';
import type { ListenHandlers } from './trigger-site.js';

const pinned: PinnedAction = {
  actionId: 'add-one', version: '1.0.0', digest: 'a'.repeat(64), artifactObject: 'a.tar.gz', artifactSize: 10, kind: 'Processor',
  runtime: 'nodejs', format: 'trellis', inputs: [], outputs: [], resources: {},
};
const on = (site: SiteName | undefined): ActionVersionRef => {
  const { site: _dropped, ...ref } = actionRef('p1', pinned, 'local');
  return site ? { ...ref, site } : ref;
};
const aCall: Call = { executionId: 'e1', idempotencyKey: 'r1:s1', attempt: 1, inputs: {}, outputUrls: {}, timeoutMs: 1000 };
const handlers: ListenHandlers = { onListening: () => undefined, onEvent: async () => ({ kind: 'accepted' as const }), onTriggerError: () => undefined };
const NO_LOGS = { stdout: '', stderr: '', truncated: false };

/** A site that answers with its own name, so a test sees which site took a call; it keeps what it released and whether it stopped. */
function aSite(name: string, options: { listens?: boolean; failsToStop?: boolean } = {}) {
  const state = { released: [] as string[], stopped: false };
  const site: RoutableSite = {
    prepare: async (ref) => (ref.actionId === 'broken' ? rejected({ reason: `${name} cannot` }) : ok(undefined)),
    call: async () => ({ ok: true, outputs: { site: name }, logs: NO_LOGS, durationMs: 1 }),
    release: async (ref) => { state.released.push(`${ref.actionId}@${ref.version}`); },
    stats: () => [{ projectId: 'p1', actionVersion: `${name}-action@1`, digest: 'd', state: 'ready', processes: 1, inFlight: 0, coldStarts: 1, lastColdStartMs: 5, restarts: 0 }],
    stop: async () => {
      state.stopped = true;
      if (options.failsToStop) throw new Error(`${name} would not stop`);
    },
    ...(options.listens === false ? {} : { listen: async () => ({ kind: 'ended' as const, message: `${name} listened` }) }),
  };
  return { site, state };
}

describe('routeSites', () => {
  it('sends each call to the site its reference names, local when it names none', async () => {
    const local = aSite('local');
    const docker = aSite('docker');
    const router = routeSites({ local: local.site, docker: docker.site });
    expect(await router.call(on(undefined), aCall)).toMatchObject({ ok: true, outputs: { site: 'local' } });
    expect(await router.call(on('local'), aCall)).toMatchObject({ ok: true, outputs: { site: 'local' } });
    expect(await router.call(on('docker'), aCall)).toMatchObject({ ok: true, outputs: { site: 'docker' } });
    expect(await router.prepare({ ...on('docker'), actionId: 'broken' })).toEqual({ ok: false, error: { reason: 'docker cannot' } });
    expect(await router.prepare(on('docker'))).toEqual({ ok: true, value: undefined });
    await router.release(on('docker'));
    expect([local.state.released, docker.state.released]).toEqual([[], ['add-one@1.0.0']]);
    expect(await router.listen(on('docker'), { listenId: 'l1', inputs: {}, lastEvent: null }, handlers, new AbortController().signal)).toEqual({ kind: 'ended', message: 'docker listened' });
  });

  it('refuses what names a site this runner has not enabled: the deploy fails saying so, a call is unavailable, a listen ends', async () => {
    const router = routeSites({ local: aSite('local').site });
    const reason = 'the kubernetes site is not enabled on this runner (TRELLIS_SITES)';
    expect(await router.prepare(on('kubernetes'))).toEqual({ ok: false, error: { reason } });
    expect(await router.call(on('kubernetes'), aCall)).toEqual({ ok: false, failure: { kind: 'unavailable', code: 'site_not_enabled', message: reason }, logs: NO_LOGS, durationMs: 0 });
    expect(await router.listen(on('kubernetes'), { listenId: 'l1', inputs: {}, lastEvent: null }, handlers, new AbortController().signal)).toEqual({ kind: 'ended', message: reason });
    await expect(router.release(on('kubernetes'))).resolves.toBeUndefined();
    expect(await routeSites({ docker: aSite('docker').site }).prepare(on(undefined))).toEqual({
      ok: false, error: { reason: 'the local site is not enabled on this runner (TRELLIS_SITES)' },
    });
  });

  it('ends the listen of a site that cannot run trigger actions', async () => {
    const router = routeSites({ kubernetes: aSite('kubernetes', { listens: false }).site });
    expect(await router.listen(on('kubernetes'), { listenId: 'l1', inputs: {}, lastEvent: null }, handlers, new AbortController().signal)).toEqual({
      kind: 'ended', message: 'the kubernetes site cannot run trigger actions',
    });
  });

  it('keeps a trigger action of a site that cannot listen on the local site: prepared, listened to and released there', async () => {
    const local = aSite('local');
    const kubernetes = aSite('kubernetes', { listens: false });
    const router = routeSites({ local: local.site, kubernetes: kubernetes.site });
    const trigger: ActionVersionRef = { ...on('kubernetes'), kind: 'Trigger' };
    expect(await router.listen(trigger, { listenId: 'l1', inputs: {}, lastEvent: null }, handlers, new AbortController().signal)).toEqual({ kind: 'ended', message: 'local listened' });
    await router.release(trigger);
    expect(local.state.released).toEqual(['add-one@1.0.0']);
    expect(kubernetes.state.released).toEqual([]);
    // A processor of the same workflow still runs there.
    expect(await router.call(on('kubernetes'), aCall)).toMatchObject({ outputs: { site: 'kubernetes' } });
  });

  it('reports the stats of every site and stops them all, even when one fails to stop', async () => {
    const local = aSite('local');
    const docker = aSite('docker', { failsToStop: true });
    const kubernetes = aSite('kubernetes');
    const router = routeSites({ kubernetes: kubernetes.site, docker: docker.site, local: local.site });
    expect(router.stats().map((stat) => stat.actionVersion)).toEqual(['local-action@1', 'docker-action@1', 'kubernetes-action@1']);
    await expect(router.stop()).rejects.toThrow('a site did not stop cleanly');
    expect([local.state.stopped, docker.state.stopped, kubernetes.state.stopped]).toEqual([true, true, true]);
  });
});
