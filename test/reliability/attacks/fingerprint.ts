import { createHash } from 'node:crypto';
import type { World } from './world.js';

/*
 * Project A's state as its admin reads it: every resource a write could touch. Taken before and
 * after each refused write; any difference is an unauthorized write. Times of use (an API key's
 * last use, a user's last login) change with legitimate reads and are left out.
 */

const VOLATILE = /^(last_used_at|last_login_at|last_seen_at)$/;

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([key]) => !VOLATILE.test(key)).sort(([x], [y]) => x.localeCompare(y)).map(([key, inner]) => [key, stable(inner)]));
  }
  return value;
}

function readsOf(world: World): string[] {
  const { a, ids } = world;
  return [
    '/authorization/users?limit=100', '/authorization/projects?limit=100', `/authorization/projects/${a.id}`,
    `/authorization/projects/${a.id}/members?limit=100`, `/authorization/projects/${a.id}/api-keys?limit=100`,
    '/studio/actions', '/studio/actions/echo/versions/1.0.0', '/studio/variables', `/studio/variables/${ids.variable}`, '/studio/secrets',
    '/studio/workflows', `/studio/workflows/${ids.workflow}`, `/studio/workflows/${ids.workflow}/versions`, '/studio/files',
    '/repository/sources', `/repository/sources/${ids.source}/scans`, '/builder/builds', '/runner/deployments', '/runner/runs',
    `/runner/runs/${ids.run}`, '/runner/settings', `/runner/workflows/${ids.workflow}/webhook-secret`,
  ];
}

export type Fingerprint = Record<string, string>;

/** Each read's status and a hash of its stable body. */
export async function fingerprint(world: World): Promise<Fingerprint> {
  const entries = await Promise.all(readsOf(world).map(async (path) => {
    let answer = await world.api('GET', path, { token: world.adminA });
    // A 5xx is the machine's load (a database out of connections), not a change: read again, a few times.
    for (let retry = 0; retry < 5 && answer.status >= 500; retry += 1) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      answer = await world.api('GET', path, { token: world.adminA });
    }
    const body = answer.body === undefined ? answer.text : stable(answer.body);
    return [path, `${answer.status} ${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 12)}`] as const;
  }));
  return Object.fromEntries(entries);
}

/** The reads whose answer changed (with the status and hash before and after). */
export function changed(before: Fingerprint, after: Fingerprint): string[] {
  return Object.keys(before).filter((path) => before[path] !== after[path]).map((path) => `${path} (${before[path]} -> ${after[path]})`);
}
