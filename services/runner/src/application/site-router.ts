import { rejected } from '@trellis/kernel/result';
import { SITE_NAMES, type ActionSite, type ActionVersionRef, type SiteName } from './site.js';
import type { TriggerSite } from './trigger-site.js';

/*
 * One ActionSite (and TriggerSite) over the sites this runner has enabled (TRELLIS_SITES): each
 * call goes to the site its reference names (a version's site; none: local). A version on a site
 * this runner has not enabled fails its deploy with a reason that says so, and a call or a
 * listen for it fails as unavailable, instead of running it somewhere else.
 */

export type RoutableSite = ActionSite & Partial<TriggerSite>;
export type EnabledSites = Partial<Record<SiteName, RoutableSite>>;

const NO_LOGS = { stdout: '', stderr: '', truncated: false } as const;

export const notEnabled = (name: SiteName): string => `the ${name} site is not enabled on this runner (TRELLIS_SITES)`;

export function routeSites(sites: EnabledSites): ActionSite & TriggerSite {
  const enabled = SITE_NAMES.flatMap((name) => {
    const site = sites[name];
    return site ? [site] : [];
  });
  const siteOf = (ref: ActionVersionRef): { name: SiteName; site: RoutableSite | undefined } => {
    const name = ref.site ?? 'local';
    // A trigger action listens where its site can hold a stream (the kubernetes site cannot): on the local site.
    if (ref.kind === 'Trigger' && sites[name] !== undefined && sites[name].listen === undefined && sites.local?.listen !== undefined) return { name: 'local', site: sites.local };
    return { name, site: sites[name] };
  };
  return {
    prepare: async (ref) => {
      const { name, site } = siteOf(ref);
      return site ? site.prepare(ref) : rejected({ reason: notEnabled(name) });
    },
    call: async (ref, call) => {
      const { name, site } = siteOf(ref);
      if (site) return site.call(ref, call);
      return { ok: false, failure: { kind: 'unavailable', code: 'site_not_enabled', message: notEnabled(name) }, logs: NO_LOGS, durationMs: 0 };
    },
    // Nothing runs on a site that is not enabled: nothing to release there.
    release: async (ref) => {
      const { site } = siteOf(ref);
      if (site) await site.release(ref);
    },
    listen: async (ref, request, handlers, signal) => {
      const { name, site } = siteOf(ref);
      if (!site) return { kind: 'ended', message: notEnabled(name) };
      if (!site.listen) return { kind: 'ended', message: `the ${name} site cannot run trigger actions` };
      return site.listen(ref, request, handlers, signal);
    },
    stats: () => enabled.flatMap((site) => site.stats()),
    stop: async () => {
      const stopped = await Promise.allSettled(enabled.map((site) => site.stop()));
      const failed = stopped.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      if (failed) throw new Error('a site did not stop cleanly', { cause: failed.reason });
    },
  };
}
