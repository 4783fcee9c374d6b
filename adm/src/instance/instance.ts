import { createHash } from 'node:crypto';
import { basename } from 'node:path';

/**
 * A local Trellis instance: its databases, roles, vhost, broker users and bucket belong together
 * with the secrets in its state directory (`.trellis/`). Its name prefixes every resource; its id
 * changes whenever it starts over, so resources made by an earlier start are told apart.
 */
export type Instance = {
  readonly version: 1;
  /** Prefixes every resource: databases and roles `<name>_<service>`, vhost `<name>`, bucket `<name>` with `-`. */
  readonly name: string;
  /** Random, new at every start from scratch. */
  readonly id: string;
  /** The state directory that holds its secrets (`<checkout>/.trellis`): where its resources are marked as coming from. */
  readonly stateDir: string;
  readonly createdAt: string;
  /** Null until its resources were provisioned once: until then, leftovers of an earlier start of this state directory may go. */
  readonly provisionedAt: string | null;
  /** Made from the `.trellis/` of an older trellis-adm (no instance file): it takes over the unmarked `trellis_*` resources. */
  readonly adopted: boolean;
  /** A check value of the TRELLIS_SECRET_KEY its signing keys are sealed with (never the key). */
  readonly secretKeyCheck: string | null;
};

/** What every resource of an instance carries (a comment, a description). */
export type Mark = { readonly name: string; readonly id: string; readonly stateDir: string };

/** The name of a state directory made by an older trellis-adm, and of compose and Kubernetes deployments. */
export const LEGACY_NAME = 'trellis';

const NAME = /^[a-z][a-z0-9_]{0,39}$/;

/** Why a name cannot be an instance name, or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  if (NAME.test(name)) return undefined;
  return `"${name}" is not an instance name: use 1 to 40 lower-case letters, digits and "_", starting with a letter`;
}

/**
 * The name a state directory gets unless TRELLIS_INSTANCE says otherwise: `trellis_<checkout>_<hash>`,
 * e.g. trellis_main_3f2a1b for /work/main/.trellis (trellis_clone_… for ~/trellis-clone). Two checkouts (or state directories) on one
 * machine get different names, and the same one gets the same name again after `.trellis/` was removed.
 */
export function defaultInstanceName(checkout: string, stateDir: string): string {
  const slug = basename(checkout)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^(trellis(_|$))+/, '')
    .replace(/^_+|_+$/g, '')
    .slice(0, 12)
    .replace(/_+$/, '');
  const hash = createHash('sha256').update(stateDir).digest('hex').slice(0, 6);
  return slug ? `trellis_${slug}_${hash}` : `trellis_${hash}`;
}

/** Bucket names allow no `_`. */
export function bucketOf(name: string): string {
  return name.replaceAll('_', '-');
}

export function markText(mark: Mark): string {
  return `Trellis instance ${mark.name} (id ${mark.id}) of ${mark.stateDir}`;
}

export function parseMark(text: string | null | undefined): Mark | undefined {
  const match = /^Trellis instance (\S+) \(id ([0-9a-f]+)\) of (.+)$/.exec(text ?? '');
  if (!match) return undefined;
  return { name: match[1] as string, id: match[2] as string, stateDir: match[3] as string };
}

export function markOf(instance: Instance): Mark {
  return { name: instance.name, id: instance.id, stateDir: instance.stateDir };
}

/** Tells whether two keys are the same without keeping either: a hash of the key under a fixed label. */
export function secretKeyCheck(secretKey: string): string {
  return createHash('sha256').update('trellis-adm secret key check\0').update(secretKey.trim()).digest('hex').slice(0, 16);
}

/**
 * Why the secret key at hand cannot be this instance's, or undefined. Authorization could not
 * open its signing keys with another key, so `up` says so before anything starts.
 */
export function secretKeyProblem(instance: Instance, secretKey: string, fromEnv: boolean): string | undefined {
  if (instance.secretKeyCheck === null || instance.secretKeyCheck === secretKeyCheck(secretKey)) return undefined;
  const where = fromEnv ? 'TRELLIS_SECRET_KEY (set in your environment)' : `TRELLIS_SECRET_KEY in ${instance.stateDir}/secrets.env`;
  return (
    `${where} is not the key instance ${instance.name} was started with: authorization could not open its signing keys.\n` +
    (fromEnv
      ? `Unset TRELLIS_SECRET_KEY, or set it to the key this instance was made with.`
      : `Put back the secrets.env this instance was made with (from a backup), or start over: \`make reset\` (deletes this instance's data), then \`make up\`.`)
  );
}
