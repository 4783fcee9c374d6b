import type { Instance, Mark } from './instance.js';

/** A database, role, vhost or broker user that carries the instance's name, as found on the servers. */
export type FoundResource = {
  readonly kind: 'database' | 'role' | 'vhost' | 'broker user';
  readonly name: string;
  /** Broker users carry no mark; the others carry one unless made by an older trellis-adm or by hand. */
  readonly mark?: Mark;
};

/** Whose a found resource is, seen from an instance. */
export type Owner = 'this instance' | 'an earlier start' | 'another state directory' | 'nobody known';

export function ownerOf(instance: Instance, resource: FoundResource): Owner {
  const mark = resource.mark;
  if (!mark) return 'nobody known';
  if (mark.id === instance.id) return 'this instance';
  return mark.stateDir === instance.stateDir ? 'an earlier start' : 'another state directory';
}

/** What `up` does about the resources it found before provisioning. */
export type Verdict =
  | { readonly kind: 'provision' }
  /** Left by an earlier start of this state directory whose `.trellis/` was removed: their secrets are gone. */
  | { readonly kind: 'start over'; readonly leftovers: readonly FoundResource[] }
  | { readonly kind: 'refuse'; readonly reason: string };

const MARKED_KINDS = new Set<FoundResource['kind']>(['database', 'role', 'vhost']);

function names(resources: readonly FoundResource[]): string {
  const shown = resources.slice(0, 4).map((r) => `${r.kind} ${r.name}`);
  return resources.length > 4 ? `${shown.join(', ')} and ${resources.length - 4} more` : shown.join(', ');
}

/**
 * Decides, before anything starts, whether the resources named after this instance can be
 * used: they are its own (or nothing is there yet), or leftovers of an earlier start of the same
 * state directory that a new instance drops, or something it must not touch (another state
 * directory's, or made by a start whose secrets are not the ones on disk).
 */
export function judge(instance: Instance, found: readonly FoundResource[]): Verdict {
  const marked = found.filter((r) => MARKED_KINDS.has(r.kind));
  const by = (owner: Owner) => marked.filter((r) => ownerOf(instance, r) === owner);
  const fresh = instance.provisionedAt === null;

  const foreign = by('another state directory');
  if (foreign.length > 0) {
    const other = foreign[0]?.mark?.stateDir ?? '?';
    return {
      kind: 'refuse',
      reason:
        `the instance name ${instance.name} is taken by the Trellis instance of ${other} (${names(foreign)}); this checkout must not touch it.\n` +
        (fresh
          ? `Give this checkout another name: TRELLIS_INSTANCE=<name> make up (letters, digits, "_"; see docs/configuration.md).`
          : `This checkout's .trellis/ no longer owns them. Remove it (not with \`make reset\`: they are not this checkout's to drop), then \`TRELLIS_INSTANCE=<name> make up\` makes an instance of its own.`),
    };
  }

  const earlier = by('an earlier start');
  if (earlier.length > 0) {
    if (fresh) return { kind: 'start over', leftovers: found };
    return {
      kind: 'refuse',
      reason:
        `the resources of instance ${instance.name} (${names(earlier)}) were made by another start of this checkout (id ${earlier[0]?.mark?.id}), ` +
        `not by the one whose secrets are in ${instance.stateDir} (id ${instance.id}): those secrets do not open them.\n` +
        `Put back the .trellis/ that made them, or start over: \`make reset\` (deletes this instance's data), then \`make up\`.`,
    };
  }

  // Unmarked next to our own: a start of this instance stopped between creating and marking.
  const unmarked = by('nobody known');
  if (unmarked.length > 0 && fresh && !instance.adopted && by('this instance').length === 0) {
    return {
      kind: 'refuse',
      reason:
        `${names(unmarked)} already exist but carry no Trellis instance mark (made by an older trellis-adm or by hand): they may hold another checkout's data.\n` +
        `If they are this checkout's and may go: \`make reset\` drops them (after asking), then \`make up\`. To leave them alone: TRELLIS_INSTANCE=<another name> make up.`,
    };
  }
  return { kind: 'provision' };
}

/**
 * What `reset` may drop: everything named after the instance, unless another state directory's
 * instance owns some of it (then nothing: that is the other checkout's to reset).
 */
export function resettable(instance: Instance, found: readonly FoundResource[]): { readonly ok: true; readonly drop: readonly FoundResource[] } | { readonly ok: false; readonly reason: string } {
  const foreign = found.filter((r) => ownerOf(instance, r) === 'another state directory');
  if (foreign.length === 0) return { ok: true, drop: found };
  return {
    ok: false,
    reason:
      `${names(foreign)} belong to the Trellis instance of ${foreign[0]?.mark?.stateDir ?? '?'}, not to this checkout: nothing was dropped. ` +
      `Reset that instance from its own checkout.`,
  };
}
